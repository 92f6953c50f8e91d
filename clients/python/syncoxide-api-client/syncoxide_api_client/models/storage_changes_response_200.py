from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="StorageChangesResponse200")


@_attrs_define
class StorageChangesResponse200:
    """
    Attributes:
        paths (list[str]):
        token (str):
    """

    paths: list[str]
    token: str

    def to_dict(self) -> dict[str, Any]:
        paths = self.paths

        token = self.token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "paths": paths,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        paths = cast(list[str], d.pop("paths"))

        token = d.pop("token")

        storage_changes_response_200 = cls(
            paths=paths,
            token=token,
        )

        return storage_changes_response_200
