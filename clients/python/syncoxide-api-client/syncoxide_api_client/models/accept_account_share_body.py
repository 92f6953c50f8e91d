from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AcceptAccountShareBody")


@_attrs_define
class AcceptAccountShareBody:
    """
    Attributes:
        place (str | Unset):
    """

    place: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        place = self.place

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if place is not UNSET:
            field_dict["place"] = place

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        place = d.pop("place", UNSET)

        accept_account_share_body = cls(
            place=place,
        )

        return accept_account_share_body
