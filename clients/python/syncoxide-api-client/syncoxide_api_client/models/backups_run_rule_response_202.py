from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backups_run_rule_response_202_retention import BackupsRunRuleResponse202Retention
    from ..models.backups_run_rule_response_202_runs_item import BackupsRunRuleResponse202RunsItem


T = TypeVar("T", bound="BackupsRunRuleResponse202")


@_attrs_define
class BackupsRunRuleResponse202:
    """
    Attributes:
        connection_id (int):
        id (int):
        name (str):
        repository_id (int):
        schedule (str):
        source_path (str):
        status (str):
        created_at (int | Unset):
        enabled (bool | Unset):
        last_run_at (int | None | Unset):
        next_run_at (int | Unset):
        prefix (str | Unset):
        retention (BackupsRunRuleResponse202Retention | Unset):
        runs (list[BackupsRunRuleResponse202RunsItem] | Unset):
        status_message (str | Unset):
    """

    connection_id: int
    id: int
    name: str
    repository_id: int
    schedule: str
    source_path: str
    status: str
    created_at: int | Unset = UNSET
    enabled: bool | Unset = UNSET
    last_run_at: int | None | Unset = UNSET
    next_run_at: int | Unset = UNSET
    prefix: str | Unset = UNSET
    retention: BackupsRunRuleResponse202Retention | Unset = UNSET
    runs: list[BackupsRunRuleResponse202RunsItem] | Unset = UNSET
    status_message: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connection_id = self.connection_id

        id = self.id

        name = self.name

        repository_id = self.repository_id

        schedule = self.schedule

        source_path = self.source_path

        status = self.status

        created_at = self.created_at

        enabled = self.enabled

        last_run_at: int | None | Unset
        if isinstance(self.last_run_at, Unset):
            last_run_at = UNSET
        else:
            last_run_at = self.last_run_at

        next_run_at = self.next_run_at

        prefix = self.prefix

        retention: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retention, Unset):
            retention = self.retention.to_dict()

        runs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.runs, Unset):
            runs = []
            for runs_item_data in self.runs:
                runs_item = runs_item_data.to_dict()
                runs.append(runs_item)

        status_message = self.status_message

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connection_id": connection_id,
                "id": id,
                "name": name,
                "repository_id": repository_id,
                "schedule": schedule,
                "source_path": source_path,
                "status": status,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if last_run_at is not UNSET:
            field_dict["last_run_at"] = last_run_at
        if next_run_at is not UNSET:
            field_dict["next_run_at"] = next_run_at
        if prefix is not UNSET:
            field_dict["prefix"] = prefix
        if retention is not UNSET:
            field_dict["retention"] = retention
        if runs is not UNSET:
            field_dict["runs"] = runs
        if status_message is not UNSET:
            field_dict["status_message"] = status_message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backups_run_rule_response_202_retention import BackupsRunRuleResponse202Retention  # noqa: PLC0415
        from ..models.backups_run_rule_response_202_runs_item import BackupsRunRuleResponse202RunsItem  # noqa: PLC0415

        d = dict(src_dict)
        connection_id = d.pop("connection_id")

        id = d.pop("id")

        name = d.pop("name")

        repository_id = d.pop("repository_id")

        schedule = d.pop("schedule")

        source_path = d.pop("source_path")

        status = d.pop("status")

        created_at = d.pop("created_at", UNSET)

        enabled = d.pop("enabled", UNSET)

        def _parse_last_run_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_run_at = _parse_last_run_at(d.pop("last_run_at", UNSET))

        next_run_at = d.pop("next_run_at", UNSET)

        prefix = d.pop("prefix", UNSET)

        _retention = d.pop("retention", UNSET)
        retention: BackupsRunRuleResponse202Retention | Unset
        if isinstance(_retention, Unset):
            retention = UNSET
        else:
            retention = BackupsRunRuleResponse202Retention.from_dict(_retention)

        _runs = d.pop("runs", UNSET)
        runs: list[BackupsRunRuleResponse202RunsItem] | Unset = UNSET
        if _runs is not UNSET:
            runs = []
            for runs_item_data in _runs:
                runs_item = BackupsRunRuleResponse202RunsItem.from_dict(runs_item_data)

                runs.append(runs_item)

        status_message = d.pop("status_message", UNSET)

        backups_run_rule_response_202 = cls(
            connection_id=connection_id,
            id=id,
            name=name,
            repository_id=repository_id,
            schedule=schedule,
            source_path=source_path,
            status=status,
            created_at=created_at,
            enabled=enabled,
            last_run_at=last_run_at,
            next_run_at=next_run_at,
            prefix=prefix,
            retention=retention,
            runs=runs,
            status_message=status_message,
        )

        return backups_run_rule_response_202
