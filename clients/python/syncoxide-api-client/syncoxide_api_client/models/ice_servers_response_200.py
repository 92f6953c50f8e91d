from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.ice_servers_response_200_ice_servers_item import IceServersResponse200IceServersItem


T = TypeVar("T", bound="IceServersResponse200")


@_attrs_define
class IceServersResponse200:
    """
    Attributes:
        ice_servers (list[IceServersResponse200IceServersItem]):
    """

    ice_servers: list[IceServersResponse200IceServersItem]

    def to_dict(self) -> dict[str, Any]:
        ice_servers = []
        for ice_servers_item_data in self.ice_servers:
            ice_servers_item = ice_servers_item_data.to_dict()
            ice_servers.append(ice_servers_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ice_servers": ice_servers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ice_servers_response_200_ice_servers_item import IceServersResponse200IceServersItem  # noqa: PLC0415

        d = dict(src_dict)
        ice_servers = []
        _ice_servers = d.pop("ice_servers")
        for ice_servers_item_data in _ice_servers:
            ice_servers_item = IceServersResponse200IceServersItem.from_dict(ice_servers_item_data)

            ice_servers.append(ice_servers_item)

        ice_servers_response_200 = cls(
            ice_servers=ice_servers,
        )

        return ice_servers_response_200
