from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ListArchivesResponse200ArchivesItem")


@_attrs_define
class ListArchivesResponse200ArchivesItem:
    """
    Attributes:
        id (str):
        name (str):
        time (int):
    """

    id: str
    name: str
    time: int

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        time = self.time

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "time": time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        time = d.pop("time")

        list_archives_response_200_archives_item = cls(
            id=id,
            name=name,
            time=time,
        )

        return list_archives_response_200_archives_item
