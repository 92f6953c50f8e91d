from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.upload_storage_response_200_kind import UploadStorageResponse200Kind

T = TypeVar("T", bound="UploadStorageResponse200")


@_attrs_define
class UploadStorageResponse200:
    """
    Attributes:
        kind (UploadStorageResponse200Kind):
        mtime_ns (int):
        path (str):
        sha1 (str):
        sha256 (str):
        size (int):
    """

    kind: UploadStorageResponse200Kind
    mtime_ns: int
    path: str
    sha1: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        mtime_ns = self.mtime_ns

        path = self.path

        sha1 = self.sha1

        sha256 = self.sha256

        size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "mtime_ns": mtime_ns,
                "path": path,
                "sha1": sha1,
                "sha256": sha256,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = UploadStorageResponse200Kind(d.pop("kind"))

        mtime_ns = d.pop("mtime_ns")

        path = d.pop("path")

        sha1 = d.pop("sha1")

        sha256 = d.pop("sha256")

        size = d.pop("size")

        upload_storage_response_200 = cls(
            kind=kind,
            mtime_ns=mtime_ns,
            path=path,
            sha1=sha1,
            sha256=sha256,
            size=size,
        )

        return upload_storage_response_200
