from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.photo_duplicates_response_200_exact_item_item import PhotoDuplicatesResponse200ExactItemItem
    from ..models.photo_duplicates_response_200_near_item_item import PhotoDuplicatesResponse200NearItemItem


T = TypeVar("T", bound="PhotoDuplicatesResponse200")


@_attrs_define
class PhotoDuplicatesResponse200:
    """
    Attributes:
        exact (list[list[PhotoDuplicatesResponse200ExactItemItem]]):
        near (list[list[PhotoDuplicatesResponse200NearItemItem]]):
    """

    exact: list[list[PhotoDuplicatesResponse200ExactItemItem]]
    near: list[list[PhotoDuplicatesResponse200NearItemItem]]

    def to_dict(self) -> dict[str, Any]:
        exact = []
        for exact_item_data in self.exact:
            exact_item = []
            for exact_item_item_data in exact_item_data:
                exact_item_item = exact_item_item_data.to_dict()
                exact_item.append(exact_item_item)

            exact.append(exact_item)

        near = []
        for near_item_data in self.near:
            near_item = []
            for near_item_item_data in near_item_data:
                near_item_item = near_item_item_data.to_dict()
                near_item.append(near_item_item)

            near.append(near_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "exact": exact,
                "near": near,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.photo_duplicates_response_200_exact_item_item import PhotoDuplicatesResponse200ExactItemItem  # noqa: PLC0415
        from ..models.photo_duplicates_response_200_near_item_item import PhotoDuplicatesResponse200NearItemItem  # noqa: PLC0415

        d = dict(src_dict)
        exact = []
        _exact = d.pop("exact")
        for exact_item_data in _exact:
            exact_item = []
            _exact_item = exact_item_data
            for exact_item_item_data in _exact_item:
                exact_item_item = PhotoDuplicatesResponse200ExactItemItem.from_dict(exact_item_item_data)

                exact_item.append(exact_item_item)

            exact.append(exact_item)

        near = []
        _near = d.pop("near")
        for near_item_data in _near:
            near_item = []
            _near_item = near_item_data
            for near_item_item_data in _near_item:
                near_item_item = PhotoDuplicatesResponse200NearItemItem.from_dict(near_item_item_data)

                near_item.append(near_item_item)

            near.append(near_item)

        photo_duplicates_response_200 = cls(
            exact=exact,
            near=near,
        )

        return photo_duplicates_response_200
