from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="SetStalenessBody")


@_attrs_define
class SetStalenessBody:
    """
    Attributes:
        hours (float | None):
        source (str):
    """

    hours: float | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        hours: float | None
        hours = self.hours

        source = self.source

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "hours": hours,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_hours(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        hours = _parse_hours(d.pop("hours"))

        source = d.pop("source")

        set_staleness_body = cls(
            hours=hours,
            source=source,
        )

        return set_staleness_body
