from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateRequestResponse201FilesItem")


@_attrs_define
class CreateRequestResponse201FilesItem:
    """
    Attributes:
        download_url (str):
        id (int):
        late (bool):
        path (str):
        sha256 (str):
        size (int):
    """

    download_url: str
    id: int
    late: bool
    path: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        download_url = self.download_url

        id = self.id

        late = self.late

        path = self.path

        sha256 = self.sha256

        size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "download_url": download_url,
                "id": id,
                "late": late,
                "path": path,
                "sha256": sha256,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        download_url = d.pop("download_url")

        id = d.pop("id")

        late = d.pop("late")

        path = d.pop("path")

        sha256 = d.pop("sha256")

        size = d.pop("size")

        create_request_response_201_files_item = cls(
            download_url=download_url,
            id=id,
            late=late,
            path=path,
            sha256=sha256,
            size=size,
        )

        return create_request_response_201_files_item
