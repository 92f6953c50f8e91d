from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RestoreProviderVersionBody")


@_attrs_define
class RestoreProviderVersionBody:
    """
    Attributes:
        location (str):
        version_id (str):
    """

    location: str
    version_id: str

    def to_dict(self) -> dict[str, Any]:
        location = self.location

        version_id = self.version_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "location": location,
                "version_id": version_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        location = d.pop("location")

        version_id = d.pop("version_id")

        restore_provider_version_body = cls(
            location=location,
            version_id=version_id,
        )

        return restore_provider_version_body
