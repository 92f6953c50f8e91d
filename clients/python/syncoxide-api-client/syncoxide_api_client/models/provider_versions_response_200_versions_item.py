from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ProviderVersionsResponse200VersionsItem")


@_attrs_define
class ProviderVersionsResponse200VersionsItem:
    """
    Attributes:
        current (bool):
        size (int):
        stored_ns (int):
        version_id (str):
    """

    current: bool
    size: int
    stored_ns: int
    version_id: str

    def to_dict(self) -> dict[str, Any]:
        current = self.current

        size = self.size

        stored_ns = self.stored_ns

        version_id = self.version_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "current": current,
                "size": size,
                "stored_ns": stored_ns,
                "version_id": version_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        current = d.pop("current")

        size = d.pop("size")

        stored_ns = d.pop("stored_ns")

        version_id = d.pop("version_id")

        provider_versions_response_200_versions_item = cls(
            current=current,
            size=size,
            stored_ns=stored_ns,
            version_id=version_id,
        )

        return provider_versions_response_200_versions_item
