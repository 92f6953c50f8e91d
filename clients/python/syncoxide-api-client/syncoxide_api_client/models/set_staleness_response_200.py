from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.set_staleness_response_200_connections_item import SetStalenessResponse200ConnectionsItem


T = TypeVar("T", bound="SetStalenessResponse200")


@_attrs_define
class SetStalenessResponse200:
    """
    Attributes:
        connections (list[SetStalenessResponse200ConnectionsItem]):
        every_connection_hours (float | None):
        server_hours (float):
    """

    connections: list[SetStalenessResponse200ConnectionsItem]
    every_connection_hours: float | None
    server_hours: float

    def to_dict(self) -> dict[str, Any]:
        connections = []
        for connections_item_data in self.connections:
            connections_item = connections_item_data.to_dict()
            connections.append(connections_item)

        every_connection_hours: float | None
        every_connection_hours = self.every_connection_hours

        server_hours = self.server_hours

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connections": connections,
                "every_connection_hours": every_connection_hours,
                "server_hours": server_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.set_staleness_response_200_connections_item import SetStalenessResponse200ConnectionsItem  # noqa: PLC0415

        d = dict(src_dict)
        connections = []
        _connections = d.pop("connections")
        for connections_item_data in _connections:
            connections_item = SetStalenessResponse200ConnectionsItem.from_dict(connections_item_data)

            connections.append(connections_item)

        def _parse_every_connection_hours(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        every_connection_hours = _parse_every_connection_hours(d.pop("every_connection_hours"))

        server_hours = d.pop("server_hours")

        set_staleness_response_200 = cls(
            connections=connections,
            every_connection_hours=every_connection_hours,
            server_hours=server_hours,
        )

        return set_staleness_response_200
