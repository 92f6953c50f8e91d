from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SetStorageMtimeBody")


@_attrs_define
class SetStorageMtimeBody:
    """
    Attributes:
        mtime_ns (int):
        path (str):
    """

    mtime_ns: int
    path: str

    def to_dict(self) -> dict[str, Any]:
        mtime_ns = self.mtime_ns

        path = self.path

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mtime_ns": mtime_ns,
                "path": path,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mtime_ns = d.pop("mtime_ns")

        path = d.pop("path")

        set_storage_mtime_body = cls(
            mtime_ns=mtime_ns,
            path=path,
        )

        return set_storage_mtime_body
