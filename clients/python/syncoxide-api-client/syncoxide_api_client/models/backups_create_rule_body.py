from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backups_create_rule_body_retention import BackupsCreateRuleBodyRetention


T = TypeVar("T", bound="BackupsCreateRuleBody")


@_attrs_define
class BackupsCreateRuleBody:
    """
    Attributes:
        connection_id (int):
        repository_id (int):
        enabled (bool | Unset):
        name (str | Unset):
        prefix (str | Unset):
        retention (BackupsCreateRuleBodyRetention | Unset):
        schedule (str | Unset):
        source_path (str | Unset):
    """

    connection_id: int
    repository_id: int
    enabled: bool | Unset = UNSET
    name: str | Unset = UNSET
    prefix: str | Unset = UNSET
    retention: BackupsCreateRuleBodyRetention | Unset = UNSET
    schedule: str | Unset = UNSET
    source_path: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connection_id = self.connection_id

        repository_id = self.repository_id

        enabled = self.enabled

        name = self.name

        prefix = self.prefix

        retention: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retention, Unset):
            retention = self.retention.to_dict()

        schedule = self.schedule

        source_path = self.source_path

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connection_id": connection_id,
                "repository_id": repository_id,
            }
        )
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
        from ..models.backups_create_rule_body_retention import BackupsCreateRuleBodyRetention  # noqa: PLC0415

        d = dict(src_dict)
        connection_id = d.pop("connection_id")

        repository_id = d.pop("repository_id")

        enabled = d.pop("enabled", UNSET)

        name = d.pop("name", UNSET)

        prefix = d.pop("prefix", UNSET)

        _retention = d.pop("retention", UNSET)
        retention: BackupsCreateRuleBodyRetention | Unset
        if isinstance(_retention, Unset):
            retention = UNSET
        else:
            retention = BackupsCreateRuleBodyRetention.from_dict(_retention)

        schedule = d.pop("schedule", UNSET)

        source_path = d.pop("source_path", UNSET)

        backups_create_rule_body = cls(
            connection_id=connection_id,
            repository_id=repository_id,
            enabled=enabled,
            name=name,
            prefix=prefix,
            retention=retention,
            schedule=schedule,
            source_path=source_path,
        )

        return backups_create_rule_body
