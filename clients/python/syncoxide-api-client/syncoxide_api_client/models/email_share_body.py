from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EmailShareBody")


@_attrs_define
class EmailShareBody:
    """
    Attributes:
        to (str):
        note (str | Unset):
    """

    to: str
    note: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        to = self.to

        note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "to": to,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        to = d.pop("to")

        note = d.pop("note", UNSET)

        email_share_body = cls(
            to=to,
            note=note,
        )

        return email_share_body
