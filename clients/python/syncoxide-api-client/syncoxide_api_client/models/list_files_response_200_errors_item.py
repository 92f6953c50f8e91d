from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ListFilesResponse200ErrorsItem")


@_attrs_define
class ListFilesResponse200ErrorsItem:
    """
    Attributes:
        connection (str):
        connection_id (int):
        message (str):
    """

    connection: str
    connection_id: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        connection = self.connection

        connection_id = self.connection_id

        message = self.message

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connection": connection,
                "connection_id": connection_id,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        connection = d.pop("connection")

        connection_id = d.pop("connection_id")

        message = d.pop("message")

        list_files_response_200_errors_item = cls(
            connection=connection,
            connection_id=connection_id,
            message=message,
        )

        return list_files_response_200_errors_item
