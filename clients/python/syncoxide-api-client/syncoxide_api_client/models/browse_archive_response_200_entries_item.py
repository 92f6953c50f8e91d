from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BrowseArchiveResponse200EntriesItem")


@_attrs_define
class BrowseArchiveResponse200EntriesItem:
    """
    Attributes:
        kind (str):
        mtime (int):
        name (str):
        path (str):
        size (int):
        link_target (str | Unset):
    """

    kind: str
    mtime: int
    name: str
    path: str
    size: int
    link_target: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        mtime = self.mtime

        name = self.name

        path = self.path

        size = self.size

        link_target = self.link_target

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "mtime": mtime,
                "name": name,
                "path": path,
                "size": size,
            }
        )
        if link_target is not UNSET:
            field_dict["link_target"] = link_target

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        mtime = d.pop("mtime")

        name = d.pop("name")

        path = d.pop("path")

        size = d.pop("size")

        link_target = d.pop("link_target", UNSET)

        browse_archive_response_200_entries_item = cls(
            kind=kind,
            mtime=mtime,
            name=name,
            path=path,
            size=size,
            link_target=link_target,
        )

        return browse_archive_response_200_entries_item
