from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ListPhotosResponse200DaysItemPhotosItem")


@_attrs_define
class ListPhotosResponse200DaysItemPhotosItem:
    """
    Attributes:
        height (int):
        path (str):
        size (int):
        source (str):
        taken (str):
        taken_from (str):
        width (int):
        content_hash (str | Unset):
        phash (str | Unset):
    """

    height: int
    path: str
    size: int
    source: str
    taken: str
    taken_from: str
    width: int
    content_hash: str | Unset = UNSET
    phash: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        height = self.height

        path = self.path

        size = self.size

        source = self.source

        taken = self.taken

        taken_from = self.taken_from

        width = self.width

        content_hash = self.content_hash

        phash = self.phash

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "height": height,
                "path": path,
                "size": size,
                "source": source,
                "taken": taken,
                "taken_from": taken_from,
                "width": width,
            }
        )
        if content_hash is not UNSET:
            field_dict["content_hash"] = content_hash
        if phash is not UNSET:
            field_dict["phash"] = phash

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        height = d.pop("height")

        path = d.pop("path")

        size = d.pop("size")

        source = d.pop("source")

        taken = d.pop("taken")

        taken_from = d.pop("taken_from")

        width = d.pop("width")

        content_hash = d.pop("content_hash", UNSET)

        phash = d.pop("phash", UNSET)

        list_photos_response_200_days_item_photos_item = cls(
            height=height,
            path=path,
            size=size,
            source=source,
            taken=taken,
            taken_from=taken_from,
            width=width,
            content_hash=content_hash,
            phash=phash,
        )

        return list_photos_response_200_days_item_photos_item
