from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.browse_archive_response_200_entries_item import BrowseArchiveResponse200EntriesItem


T = TypeVar("T", bound="BrowseArchiveResponse200")


@_attrs_define
class BrowseArchiveResponse200:
    """
    Attributes:
        entries (list[BrowseArchiveResponse200EntriesItem]):
        path (str):
    """

    entries: list[BrowseArchiveResponse200EntriesItem]
    path: str

    def to_dict(self) -> dict[str, Any]:
        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        path = self.path

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "entries": entries,
                "path": path,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.browse_archive_response_200_entries_item import BrowseArchiveResponse200EntriesItem  # noqa: PLC0415

        d = dict(src_dict)
        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = BrowseArchiveResponse200EntriesItem.from_dict(entries_item_data)

            entries.append(entries_item)

        path = d.pop("path")

        browse_archive_response_200 = cls(
            entries=entries,
            path=path,
        )

        return browse_archive_response_200
