from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BackupsUpdateRuleBodyRetention")


@_attrs_define
class BackupsUpdateRuleBodyRetention:
    """
    Attributes:
        daily (int | Unset):
        hourly (int | Unset):
        monthly (int | Unset):
        weekly (int | Unset):
        yearly (int | Unset):
    """

    daily: int | Unset = UNSET
    hourly: int | Unset = UNSET
    monthly: int | Unset = UNSET
    weekly: int | Unset = UNSET
    yearly: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        daily = self.daily

        hourly = self.hourly

        monthly = self.monthly

        weekly = self.weekly

        yearly = self.yearly

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if daily is not UNSET:
            field_dict["daily"] = daily
        if hourly is not UNSET:
            field_dict["hourly"] = hourly
        if monthly is not UNSET:
            field_dict["monthly"] = monthly
        if weekly is not UNSET:
            field_dict["weekly"] = weekly
        if yearly is not UNSET:
            field_dict["yearly"] = yearly

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        daily = d.pop("daily", UNSET)

        hourly = d.pop("hourly", UNSET)

        monthly = d.pop("monthly", UNSET)

        weekly = d.pop("weekly", UNSET)

        yearly = d.pop("yearly", UNSET)

        backups_update_rule_body_retention = cls(
            daily=daily,
            hourly=hourly,
            monthly=monthly,
            weekly=weekly,
            yearly=yearly,
        )

        return backups_update_rule_body_retention
