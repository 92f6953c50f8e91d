from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RestoreTrashedResponse200")


@_attrs_define
class RestoreTrashedResponse200:
    """
    Attributes:
        kind (str):
        path (str):
    """

    kind: str
    path: str

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        path = self.path

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "path": path,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        path = d.pop("path")

        restore_trashed_response_200 = cls(
            kind=kind,
            path=path,
        )

        return restore_trashed_response_200
