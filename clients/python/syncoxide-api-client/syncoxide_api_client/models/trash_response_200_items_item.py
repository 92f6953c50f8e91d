from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrashResponse200ItemsItem")


@_attrs_define
class TrashResponse200ItemsItem:
    """
    Attributes:
        id (int):
        keep_forever (bool):
        kept_at (int):
        kind (str):
        path (str):
        size (int):
        mtime_ns (int | Unset):
        sha256 (str | Unset):
    """

    id: int
    keep_forever: bool
    kept_at: int
    kind: str
    path: str
    size: int
    mtime_ns: int | Unset = UNSET
    sha256: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        keep_forever = self.keep_forever

        kept_at = self.kept_at

        kind = self.kind

        path = self.path

        size = self.size

        mtime_ns = self.mtime_ns

        sha256 = self.sha256

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "keep_forever": keep_forever,
                "kept_at": kept_at,
                "kind": kind,
                "path": path,
                "size": size,
            }
        )
        if mtime_ns is not UNSET:
            field_dict["mtime_ns"] = mtime_ns
        if sha256 is not UNSET:
            field_dict["sha256"] = sha256

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        keep_forever = d.pop("keep_forever")

        kept_at = d.pop("kept_at")

        kind = d.pop("kind")

        path = d.pop("path")

        size = d.pop("size")

        mtime_ns = d.pop("mtime_ns", UNSET)

        sha256 = d.pop("sha256", UNSET)

        trash_response_200_items_item = cls(
            id=id,
            keep_forever=keep_forever,
            kept_at=kept_at,
            kind=kind,
            path=path,
            size=size,
            mtime_ns=mtime_ns,
            sha256=sha256,
        )

        return trash_response_200_items_item
