from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="KeepBestBody")


@_attrs_define
class KeepBestBody:
    """
    Attributes:
        keep (str):
        others (list[str]):
    """

    keep: str
    others: list[str]

    def to_dict(self) -> dict[str, Any]:
        keep = self.keep

        others = self.others

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "keep": keep,
                "others": others,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        keep = d.pop("keep")

        others = cast(list[str], d.pop("others"))

        keep_best_body = cls(
            keep=keep,
            others=others,
        )

        return keep_best_body
