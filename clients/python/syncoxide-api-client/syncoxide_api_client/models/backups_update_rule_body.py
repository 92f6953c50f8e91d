from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backups_update_rule_body_retention import BackupsUpdateRuleBodyRetention


T = TypeVar("T", bound="BackupsUpdateRuleBody")


@_attrs_define
class BackupsUpdateRuleBody:
    """
    Attributes:
        enabled (bool | Unset):
        name (str | Unset):
        prefix (str | Unset):
        retention (BackupsUpdateRuleBodyRetention | Unset):
        schedule (str | Unset):
        source_path (str | Unset):
    """

    enabled: bool | Unset = UNSET
    name: str | Unset = UNSET
    prefix: str | Unset = UNSET
    retention: BackupsUpdateRuleBodyRetention | Unset = UNSET
    schedule: str | Unset = UNSET
    source_path: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        name = self.name

        prefix = self.prefix

        retention: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retention, Unset):
            retention = self.retention.to_dict()

        schedule = self.schedule

        source_path = self.source_path

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if name is not UNSET:
            field_dict["name"] = name
        if prefix is not UNSET:
            field_dict["prefix"] = prefix
        if retention is not UNSET:
            field_dict["retention"] = retention
        if schedule is not UNSET:
            field_dict["schedule"] = schedule
        if source_path is not UNSET:
            field_dict["source_path"] = source_path

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backups_update_rule_body_retention import BackupsUpdateRuleBodyRetention  # noqa: PLC0415

        d = dict(src_dict)
        enabled = d.pop("enabled", UNSET)

        name = d.pop("name", UNSET)

        prefix = d.pop("prefix", UNSET)

        _retention = d.pop("retention", UNSET)
        retention: BackupsUpdateRuleBodyRetention | Unset
        if isinstance(_retention, Unset):
            retention = UNSET
        else:
            retention = BackupsUpdateRuleBodyRetention.from_dict(_retention)

        schedule = d.pop("schedule", UNSET)

        source_path = d.pop("source_path", UNSET)

        backups_update_rule_body = cls(
            enabled=enabled,
            name=name,
            prefix=prefix,
            retention=retention,
            schedule=schedule,
            source_path=source_path,
        )

        return backups_update_rule_body
