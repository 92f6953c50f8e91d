from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_photos_response_200_days_item_photos_item import ListPhotosResponse200DaysItemPhotosItem


T = TypeVar("T", bound="ListPhotosResponse200DaysItem")


@_attrs_define
class ListPhotosResponse200DaysItem:
    """
    Attributes:
        date (str):
        photos (list[ListPhotosResponse200DaysItemPhotosItem]):
    """

    date: str
    photos: list[ListPhotosResponse200DaysItemPhotosItem]

    def to_dict(self) -> dict[str, Any]:
        date = self.date

        photos = []
        for photos_item_data in self.photos:
            photos_item = photos_item_data.to_dict()
            photos.append(photos_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "date": date,
                "photos": photos,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_photos_response_200_days_item_photos_item import ListPhotosResponse200DaysItemPhotosItem  # noqa: PLC0415

        d = dict(src_dict)
        date = d.pop("date")

        photos = []
        _photos = d.pop("photos")
        for photos_item_data in _photos:
            photos_item = ListPhotosResponse200DaysItemPhotosItem.from_dict(photos_item_data)

            photos.append(photos_item)

        list_photos_response_200_days_item = cls(
            date=date,
            photos=photos,
        )

        return list_photos_response_200_days_item
