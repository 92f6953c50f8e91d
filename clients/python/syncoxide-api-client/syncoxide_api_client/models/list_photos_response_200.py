from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_photos_response_200_days_item import ListPhotosResponse200DaysItem
    from ..models.list_photos_response_200_folders import ListPhotosResponse200Folders


T = TypeVar("T", bound="ListPhotosResponse200")


@_attrs_define
class ListPhotosResponse200:
    """
    Attributes:
        days (list[ListPhotosResponse200DaysItem]):
        errors (list[str]):
        folders (ListPhotosResponse200Folders):
        not_supported (list[str]):
        pending (int):
        unreadable (list[str]):
    """

    days: list[ListPhotosResponse200DaysItem]
    errors: list[str]
    folders: ListPhotosResponse200Folders
    not_supported: list[str]
    pending: int
    unreadable: list[str]

    def to_dict(self) -> dict[str, Any]:
        days = []
        for days_item_data in self.days:
            days_item = days_item_data.to_dict()
            days.append(days_item)

        errors = self.errors

        folders = self.folders.to_dict()

        not_supported = self.not_supported

        pending = self.pending

        unreadable = self.unreadable

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "days": days,
                "errors": errors,
                "folders": folders,
                "not_supported": not_supported,
                "pending": pending,
                "unreadable": unreadable,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_photos_response_200_days_item import ListPhotosResponse200DaysItem  # noqa: PLC0415
        from ..models.list_photos_response_200_folders import ListPhotosResponse200Folders  # noqa: PLC0415

        d = dict(src_dict)
        days = []
        _days = d.pop("days")
        for days_item_data in _days:
            days_item = ListPhotosResponse200DaysItem.from_dict(days_item_data)

            days.append(days_item)

        errors = cast(list[str], d.pop("errors"))

        folders = ListPhotosResponse200Folders.from_dict(d.pop("folders"))

        not_supported = cast(list[str], d.pop("not_supported"))

        pending = d.pop("pending")

        unreadable = cast(list[str], d.pop("unreadable"))

        list_photos_response_200 = cls(
            days=days,
            errors=errors,
            folders=folders,
            not_supported=not_supported,
            pending=pending,
            unreadable=unreadable,
        )

        return list_photos_response_200
