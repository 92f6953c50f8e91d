from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_archives_response_200_archives_item import ListArchivesResponse200ArchivesItem


T = TypeVar("T", bound="ListArchivesResponse200")


@_attrs_define
class ListArchivesResponse200:
    """
    Attributes:
        archives (list[ListArchivesResponse200ArchivesItem]):
        encryption (str):
    """

    archives: list[ListArchivesResponse200ArchivesItem]
    encryption: str

    def to_dict(self) -> dict[str, Any]:
        archives = []
        for archives_item_data in self.archives:
            archives_item = archives_item_data.to_dict()
            archives.append(archives_item)

        encryption = self.encryption

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "archives": archives,
                "encryption": encryption,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_archives_response_200_archives_item import ListArchivesResponse200ArchivesItem  # noqa: PLC0415

        d = dict(src_dict)
        archives = []
        _archives = d.pop("archives")
        for archives_item_data in _archives:
            archives_item = ListArchivesResponse200ArchivesItem.from_dict(archives_item_data)

            archives.append(archives_item)

        encryption = d.pop("encryption")

        list_archives_response_200 = cls(
            archives=archives,
            encryption=encryption,
        )

        return list_archives_response_200
