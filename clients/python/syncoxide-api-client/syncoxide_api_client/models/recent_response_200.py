from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.recent_response_200_entries_item import RecentResponse200EntriesItem


T = TypeVar("T", bound="RecentResponse200")


@_attrs_define
class RecentResponse200:
    """
    Attributes:
        entries (list[RecentResponse200EntriesItem]):
    """

    entries: list[RecentResponse200EntriesItem]

    def to_dict(self) -> dict[str, Any]:
        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "entries": entries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recent_response_200_entries_item import RecentResponse200EntriesItem  # noqa: PLC0415

        d = dict(src_dict)
        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = RecentResponse200EntriesItem.from_dict(entries_item_data)

            entries.append(entries_item)

        recent_response_200 = cls(
            entries=entries,
        )

        return recent_response_200
