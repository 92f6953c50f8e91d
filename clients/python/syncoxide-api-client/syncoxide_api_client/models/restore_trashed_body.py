from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RestoreTrashedBody")


@_attrs_define
class RestoreTrashedBody:
    """
    Attributes:
        id (int):
        to (str | Unset):
    """

    id: int
    to: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        to = self.to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
            }
        )
        if to is not UNSET:
            field_dict["to"] = to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        to = d.pop("to", UNSET)

        restore_trashed_body = cls(
            id=id,
            to=to,
        )

        return restore_trashed_body
