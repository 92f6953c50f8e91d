from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_files_response_200_errors_item import ListFilesResponse200ErrorsItem
    from ..models.list_files_response_200_files_item import ListFilesResponse200FilesItem


T = TypeVar("T", bound="ListFilesResponse200")


@_attrs_define
class ListFilesResponse200:
    """
    Attributes:
        errors (list[ListFilesResponse200ErrorsItem]):
        files (list[ListFilesResponse200FilesItem]):
        truncated (bool):
    """

    errors: list[ListFilesResponse200ErrorsItem]
    files: list[ListFilesResponse200FilesItem]
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

        truncated = self.truncated

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "errors": errors,
                "files": files,
                "truncated": truncated,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_files_response_200_errors_item import ListFilesResponse200ErrorsItem  # noqa: PLC0415
        from ..models.list_files_response_200_files_item import ListFilesResponse200FilesItem  # noqa: PLC0415

        d = dict(src_dict)
        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ListFilesResponse200ErrorsItem.from_dict(errors_item_data)

            errors.append(errors_item)

        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = ListFilesResponse200FilesItem.from_dict(files_item_data)

            files.append(files_item)

        truncated = d.pop("truncated")

        list_files_response_200 = cls(
            errors=errors,
            files=files,
            truncated=truncated,
        )

        return list_files_response_200
