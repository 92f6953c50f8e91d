from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_keys_response_200_keys_item import ListKeysResponse200KeysItem


T = TypeVar("T", bound="ListKeysResponse200")


@_attrs_define
class ListKeysResponse200:
    """
    Attributes:
        keys (list[ListKeysResponse200KeysItem]):
    """

    keys: list[ListKeysResponse200KeysItem]

    def to_dict(self) -> dict[str, Any]:
        keys = []
        for keys_item_data in self.keys:
            keys_item = keys_item_data.to_dict()
            keys.append(keys_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "keys": keys,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_keys_response_200_keys_item import ListKeysResponse200KeysItem  # noqa: PLC0415

        d = dict(src_dict)
        keys = []
        _keys = d.pop("keys")
        for keys_item_data in _keys:
            keys_item = ListKeysResponse200KeysItem.from_dict(keys_item_data)

            keys.append(keys_item)

        list_keys_response_200 = cls(
            keys=keys,
        )

        return list_keys_response_200
