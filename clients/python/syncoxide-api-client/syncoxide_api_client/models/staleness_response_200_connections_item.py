from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="StalenessResponse200ConnectionsItem")


@_attrs_define
class StalenessResponse200ConnectionsItem:
    """
    Attributes:
        effective_hours (float):
        hours (float | None):
        source (str):
    """

    effective_hours: float
    hours: float | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        effective_hours = self.effective_hours

        hours: float | None
        hours = self.hours

        source = self.source

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "effective_hours": effective_hours,
                "hours": hours,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        effective_hours = d.pop("effective_hours")

        def _parse_hours(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        hours = _parse_hours(d.pop("hours"))

        source = d.pop("source")

        staleness_response_200_connections_item = cls(
            effective_hours=effective_hours,
            hours=hours,
            source=source,
        )

        return staleness_response_200_connections_item
