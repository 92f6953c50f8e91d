from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rules_list_rules_response_200_rules_item_runs_item import RulesListRulesResponse200RulesItemRunsItem


T = TypeVar("T", bound="RulesListRulesResponse200RulesItem")


@_attrs_define
class RulesListRulesResponse200RulesItem:
    """
    Attributes:
        dest_id (int):
        dest_path (str):
        id (int):
        mode (str):
        name (str):
        source_id (int):
        source_path (str):
        status (str):
        conflict (str | Unset):
        created_at (int | Unset):
        enabled (bool | Unset):
        interval_seconds (int | Unset):
        last_run_at (int | None | Unset):
        next_run_at (int | Unset):
        on_change (bool | Unset):
        runs (list[RulesListRulesResponse200RulesItemRunsItem] | Unset):
        status_message (str | Unset):
    """

    dest_id: int
    dest_path: str
    id: int
    mode: str
    name: str
    source_id: int
    source_path: str
    status: str
    conflict: str | Unset = UNSET
    created_at: int | Unset = UNSET
    enabled: bool | Unset = UNSET
    interval_seconds: int | Unset = UNSET
    last_run_at: int | None | Unset = UNSET
    next_run_at: int | Unset = UNSET
    on_change: bool | Unset = UNSET
    runs: list[RulesListRulesResponse200RulesItemRunsItem] | Unset = UNSET
    status_message: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        dest_id = self.dest_id

        dest_path = self.dest_path

        id = self.id

        mode = self.mode

        name = self.name

        source_id = self.source_id

        source_path = self.source_path

        status = self.status

        conflict = self.conflict

        created_at = self.created_at

        enabled = self.enabled

        interval_seconds = self.interval_seconds

        last_run_at: int | None | Unset
        if isinstance(self.last_run_at, Unset):
            last_run_at = UNSET
        else:
            last_run_at = self.last_run_at

        next_run_at = self.next_run_at

        on_change = self.on_change

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
                "dest_id": dest_id,
                "dest_path": dest_path,
                "id": id,
                "mode": mode,
                "name": name,
                "source_id": source_id,
                "source_path": source_path,
                "status": status,
            }
        )
        if conflict is not UNSET:
            field_dict["conflict"] = conflict
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if interval_seconds is not UNSET:
            field_dict["interval_seconds"] = interval_seconds
        if last_run_at is not UNSET:
            field_dict["last_run_at"] = last_run_at
        if next_run_at is not UNSET:
            field_dict["next_run_at"] = next_run_at
        if on_change is not UNSET:
            field_dict["on_change"] = on_change
        if runs is not UNSET:
            field_dict["runs"] = runs
        if status_message is not UNSET:
            field_dict["status_message"] = status_message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rules_list_rules_response_200_rules_item_runs_item import (
            RulesListRulesResponse200RulesItemRunsItem,  # noqa: PLC0415
        )

        d = dict(src_dict)
        dest_id = d.pop("dest_id")

        dest_path = d.pop("dest_path")

        id = d.pop("id")

        mode = d.pop("mode")

        name = d.pop("name")

        source_id = d.pop("source_id")

        source_path = d.pop("source_path")

        status = d.pop("status")

        conflict = d.pop("conflict", UNSET)

        created_at = d.pop("created_at", UNSET)

        enabled = d.pop("enabled", UNSET)

        interval_seconds = d.pop("interval_seconds", UNSET)

        def _parse_last_run_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_run_at = _parse_last_run_at(d.pop("last_run_at", UNSET))

        next_run_at = d.pop("next_run_at", UNSET)

        on_change = d.pop("on_change", UNSET)

        _runs = d.pop("runs", UNSET)
        runs: list[RulesListRulesResponse200RulesItemRunsItem] | Unset = UNSET
        if _runs is not UNSET:
            runs = []
            for runs_item_data in _runs:
                runs_item = RulesListRulesResponse200RulesItemRunsItem.from_dict(runs_item_data)

                runs.append(runs_item)

        status_message = d.pop("status_message", UNSET)

        rules_list_rules_response_200_rules_item = cls(
            dest_id=dest_id,
            dest_path=dest_path,
            id=id,
            mode=mode,
            name=name,
            source_id=source_id,
            source_path=source_path,
            status=status,
            conflict=conflict,
            created_at=created_at,
            enabled=enabled,
            interval_seconds=interval_seconds,
            last_run_at=last_run_at,
            next_run_at=next_run_at,
            on_change=on_change,
            runs=runs,
            status_message=status_message,
        )

        return rules_list_rules_response_200_rules_item
