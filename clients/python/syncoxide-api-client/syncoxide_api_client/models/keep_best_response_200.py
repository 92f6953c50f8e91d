from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="KeepBestResponse200")


@_attrs_define
class KeepBestResponse200:
    """
    Attributes:
        trashed (list[str]):
    """

    trashed: list[str]

    def to_dict(self) -> dict[str, Any]:
        trashed = self.trashed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "trashed": trashed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        trashed = cast(list[str], d.pop("trashed"))

        keep_best_response_200 = cls(
            trashed=trashed,
        )

        return keep_best_response_200
