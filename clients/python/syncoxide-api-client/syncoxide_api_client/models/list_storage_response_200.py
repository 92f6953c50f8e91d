from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_storage_response_200_entries_item import ListStorageResponse200EntriesItem


T = TypeVar("T", bound="ListStorageResponse200")


@_attrs_define
class ListStorageResponse200:
    """
    Attributes:
        entries (list[ListStorageResponse200EntriesItem]):
        next_after (None | str):
    """

    entries: list[ListStorageResponse200EntriesItem]
    next_after: None | str

    def to_dict(self) -> dict[str, Any]:
        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        next_after: None | str
        next_after = self.next_after

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "entries": entries,
                "next_after": next_after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_storage_response_200_entries_item import ListStorageResponse200EntriesItem  # noqa: PLC0415

        d = dict(src_dict)
        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = ListStorageResponse200EntriesItem.from_dict(entries_item_data)

            entries.append(entries_item)

        def _parse_next_after(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_after = _parse_next_after(d.pop("next_after"))

        list_storage_response_200 = cls(
            entries=entries,
            next_after=next_after,
        )

        return list_storage_response_200
