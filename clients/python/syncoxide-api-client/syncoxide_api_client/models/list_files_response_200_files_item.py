from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ListFilesResponse200FilesItem")


@_attrs_define
class ListFilesResponse200FilesItem:
    """
    Attributes:
        connection (str):
        connection_id (int):
        mtime (int):
        path (str):
        size (int):
    """

    connection: str
    connection_id: int
    mtime: int
    path: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        connection = self.connection

        connection_id = self.connection_id

        mtime = self.mtime

        path = self.path

        size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connection": connection,
                "connection_id": connection_id,
                "mtime": mtime,
                "path": path,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        connection = d.pop("connection")

        connection_id = d.pop("connection_id")

        mtime = d.pop("mtime")

        path = d.pop("path")

        size = d.pop("size")

        list_files_response_200_files_item = cls(
            connection=connection,
            connection_id=connection_id,
            mtime=mtime,
            path=path,
            size=size,
        )

        return list_files_response_200_files_item
