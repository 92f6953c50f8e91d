from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SetStarBody")


@_attrs_define
class SetStarBody:
    """
    Attributes:
        location (str):
        starred (bool):
    """

    location: str
    starred: bool

    def to_dict(self) -> dict[str, Any]:
        location = self.location

        starred = self.starred

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "location": location,
                "starred": starred,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        location = d.pop("location")

        starred = d.pop("starred")

        set_star_body = cls(
            location=location,
            starred=starred,
        )

        return set_star_body
