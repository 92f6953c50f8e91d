from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MoveStorageBody")


@_attrs_define
class MoveStorageBody:
    """
    Attributes:
        source (str):
        target (str):
    """

    source: str
    target: str

    def to_dict(self) -> dict[str, Any]:
        source = self.source

        target = self.target

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "source": source,
                "target": target,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source = d.pop("source")

        target = d.pop("target")

        move_storage_body = cls(
            source=source,
            target=target,
        )

        return move_storage_body
