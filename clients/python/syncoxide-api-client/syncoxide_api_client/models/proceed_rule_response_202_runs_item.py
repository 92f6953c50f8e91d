from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.proceed_rule_response_202_runs_item_details import ProceedRuleResponse202RunsItemDetails


T = TypeVar("T", bound="ProceedRuleResponse202RunsItem")


@_attrs_define
class ProceedRuleResponse202RunsItem:
    """
    Attributes:
        actions (int):
        failed (int):
        finished_at (int | None):
        id (int):
        rule_id (int):
        started_at (int):
        status (str):
        trigger (str):
        bytes_ (int | Unset):
        conflicts (int | Unset):
        details (ProceedRuleResponse202RunsItemDetails | Unset):
        message (str | Unset):
    """

    actions: int
    failed: int
    finished_at: int | None
    id: int
    rule_id: int
    started_at: int
    status: str
    trigger: str
    bytes_: int | Unset = UNSET
    conflicts: int | Unset = UNSET
    details: ProceedRuleResponse202RunsItemDetails | Unset = UNSET
    message: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        actions = self.actions

        failed = self.failed

        finished_at: int | None
        finished_at = self.finished_at

        id = self.id

        rule_id = self.rule_id

        started_at = self.started_at

        status = self.status

        trigger = self.trigger

        bytes_ = self.bytes_

        conflicts = self.conflicts

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()

        message = self.message

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "actions": actions,
                "failed": failed,
                "finished_at": finished_at,
                "id": id,
                "rule_id": rule_id,
                "started_at": started_at,
                "status": status,
                "trigger": trigger,
            }
        )
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if conflicts is not UNSET:
            field_dict["conflicts"] = conflicts
        if details is not UNSET:
            field_dict["details"] = details
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.proceed_rule_response_202_runs_item_details import ProceedRuleResponse202RunsItemDetails  # noqa: PLC0415

        d = dict(src_dict)
        actions = d.pop("actions")

        failed = d.pop("failed")

        def _parse_finished_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        id = d.pop("id")

        rule_id = d.pop("rule_id")

        started_at = d.pop("started_at")

        status = d.pop("status")

        trigger = d.pop("trigger")

        bytes_ = d.pop("bytes", UNSET)

        conflicts = d.pop("conflicts", UNSET)

        _details = d.pop("details", UNSET)
        details: ProceedRuleResponse202RunsItemDetails | Unset
        if isinstance(_details, Unset):
            details = UNSET
        else:
            details = ProceedRuleResponse202RunsItemDetails.from_dict(_details)

        message = d.pop("message", UNSET)

        proceed_rule_response_202_runs_item = cls(
            actions=actions,
            failed=failed,
            finished_at=finished_at,
            id=id,
            rule_id=rule_id,
            started_at=started_at,
            status=status,
            trigger=trigger,
            bytes_=bytes_,
            conflicts=conflicts,
            details=details,
            message=message,
        )

        return proceed_rule_response_202_runs_item
