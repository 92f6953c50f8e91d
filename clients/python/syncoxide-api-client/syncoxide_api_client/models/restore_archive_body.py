from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RestoreArchiveBody")


@_attrs_define
class RestoreArchiveBody:
    """
    Attributes:
        connection_id (int):
        dest_path (str | Unset):
        path (str | Unset):
    """

    connection_id: int
    dest_path: str | Unset = UNSET
    path: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connection_id = self.connection_id

        dest_path = self.dest_path

        path = self.path

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connection_id": connection_id,
            }
        )
        if dest_path is not UNSET:
            field_dict["dest_path"] = dest_path
        if path is not UNSET:
            field_dict["path"] = path

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        connection_id = d.pop("connection_id")

        dest_path = d.pop("dest_path", UNSET)

        path = d.pop("path", UNSET)

        restore_archive_body = cls(
            connection_id=connection_id,
            dest_path=dest_path,
            path=path,
        )

        return restore_archive_body
