from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.rules_create_rule_body_conflict import RulesCreateRuleBodyConflict
from ..models.rules_create_rule_body_mode import RulesCreateRuleBodyMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="RulesCreateRuleBody")


@_attrs_define
class RulesCreateRuleBody:
    """
    Attributes:
        dest_id (int):
        source_id (int):
        conflict (RulesCreateRuleBodyConflict | Unset):
        dest_path (str | Unset):
        enabled (bool | Unset):
        interval_seconds (int | Unset):
        mode (RulesCreateRuleBodyMode | Unset):
        name (str | Unset):
        on_change (bool | Unset):
        source_path (str | Unset):
    """

    dest_id: int
    source_id: int
    conflict: RulesCreateRuleBodyConflict | Unset = UNSET
    dest_path: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    interval_seconds: int | Unset = UNSET
    mode: RulesCreateRuleBodyMode | Unset = UNSET
    name: str | Unset = UNSET
    on_change: bool | Unset = UNSET
    source_path: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        dest_id = self.dest_id

        source_id = self.source_id

        conflict: str | Unset = UNSET
        if not isinstance(self.conflict, Unset):
            conflict = self.conflict.value

        dest_path = self.dest_path

        enabled = self.enabled

        interval_seconds = self.interval_seconds

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        name = self.name

        on_change = self.on_change

        source_path = self.source_path

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dest_id": dest_id,
                "source_id": source_id,
            }
        )
        if conflict is not UNSET:
            field_dict["conflict"] = conflict
        if dest_path is not UNSET:
            field_dict["dest_path"] = dest_path
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if interval_seconds is not UNSET:
            field_dict["interval_seconds"] = interval_seconds
        if mode is not UNSET:
            field_dict["mode"] = mode
        if name is not UNSET:
            field_dict["name"] = name
        if on_change is not UNSET:
            field_dict["on_change"] = on_change
        if source_path is not UNSET:
            field_dict["source_path"] = source_path

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        dest_id = d.pop("dest_id")

        source_id = d.pop("source_id")

        _conflict = d.pop("conflict", UNSET)
        conflict: RulesCreateRuleBodyConflict | Unset
        if isinstance(_conflict, Unset):
            conflict = UNSET
        else:
            conflict = RulesCreateRuleBodyConflict(_conflict)

        dest_path = d.pop("dest_path", UNSET)

        enabled = d.pop("enabled", UNSET)

        interval_seconds = d.pop("interval_seconds", UNSET)

        _mode = d.pop("mode", UNSET)
        mode: RulesCreateRuleBodyMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = RulesCreateRuleBodyMode(_mode)

        name = d.pop("name", UNSET)

        on_change = d.pop("on_change", UNSET)

        source_path = d.pop("source_path", UNSET)

        rules_create_rule_body = cls(
            dest_id=dest_id,
            source_id=source_id,
            conflict=conflict,
            dest_path=dest_path,
            enabled=enabled,
            interval_seconds=interval_seconds,
            mode=mode,
            name=name,
            on_change=on_change,
            source_path=source_path,
        )

        return rules_create_rule_body
