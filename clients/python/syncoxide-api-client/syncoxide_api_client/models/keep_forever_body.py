from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="KeepForeverBody")


@_attrs_define
class KeepForeverBody:
    """
    Attributes:
        id (int):
        keep (bool):
    """

    id: int
    keep: bool

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        keep = self.keep

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "keep": keep,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        keep = d.pop("keep")

        keep_forever_body = cls(
            id=id,
            keep=keep,
        )

        return keep_forever_body
