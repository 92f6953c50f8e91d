from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.rules_update_rule_body_conflict import RulesUpdateRuleBodyConflict
from ..models.rules_update_rule_body_mode import RulesUpdateRuleBodyMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="RulesUpdateRuleBody")


@_attrs_define
class RulesUpdateRuleBody:
    """
    Attributes:
        conflict (RulesUpdateRuleBodyConflict | Unset):
        dest_path (str | Unset):
        enabled (bool | Unset):
        interval_seconds (int | Unset):
        mode (RulesUpdateRuleBodyMode | Unset):
        name (str | Unset):
        on_change (bool | Unset):
        source_path (str | Unset):
    """

    conflict: RulesUpdateRuleBodyConflict | Unset = UNSET
    dest_path: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    interval_seconds: int | Unset = UNSET
    mode: RulesUpdateRuleBodyMode | Unset = UNSET
    name: str | Unset = UNSET
    on_change: bool | Unset = UNSET
    source_path: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
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

        field_dict.update({})
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
        _conflict = d.pop("conflict", UNSET)
        conflict: RulesUpdateRuleBodyConflict | Unset
        if isinstance(_conflict, Unset):
            conflict = UNSET
        else:
            conflict = RulesUpdateRuleBodyConflict(_conflict)

        dest_path = d.pop("dest_path", UNSET)

        enabled = d.pop("enabled", UNSET)

        interval_seconds = d.pop("interval_seconds", UNSET)

        _mode = d.pop("mode", UNSET)
        mode: RulesUpdateRuleBodyMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = RulesUpdateRuleBodyMode(_mode)

        name = d.pop("name", UNSET)

        on_change = d.pop("on_change", UNSET)

        source_path = d.pop("source_path", UNSET)

        rules_update_rule_body = cls(
            conflict=conflict,
            dest_path=dest_path,
            enabled=enabled,
            interval_seconds=interval_seconds,
            mode=mode,
            name=name,
            on_change=on_change,
            source_path=source_path,
        )

        return rules_update_rule_body
