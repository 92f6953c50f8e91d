from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="StorageUsageResponse200")


@_attrs_define
class StorageUsageResponse200:
    """
    Attributes:
        room (int | None):
        used (int):
    """

    room: int | None
    used: int

    def to_dict(self) -> dict[str, Any]:
        room: int | None
        room = self.room

        used = self.used

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "room": room,
                "used": used,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_room(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        room = _parse_room(d.pop("room"))

        used = d.pop("used")

        storage_usage_response_200 = cls(
            room=room,
            used=used,
        )

        return storage_usage_response_200
