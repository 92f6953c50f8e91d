from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CommitStorageUploadBody")


@_attrs_define
class CommitStorageUploadBody:
    """
    Attributes:
        path (str):
        upload (str):
        mtime_ns (int | Unset):
        sha1 (str | Unset):
    """

    path: str
    upload: str
    mtime_ns: int | Unset = UNSET
    sha1: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        path = self.path

        upload = self.upload

        mtime_ns = self.mtime_ns

        sha1 = self.sha1

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "path": path,
                "upload": upload,
            }
        )
        if mtime_ns is not UNSET:
            field_dict["mtime_ns"] = mtime_ns
        if sha1 is not UNSET:
            field_dict["sha1"] = sha1

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        path = d.pop("path")

        upload = d.pop("upload")

        mtime_ns = d.pop("mtime_ns", UNSET)

        sha1 = d.pop("sha1", UNSET)

        commit_storage_upload_body = cls(
            path=path,
            upload=upload,
            mtime_ns=mtime_ns,
            sha1=sha1,
        )

        return commit_storage_upload_body
