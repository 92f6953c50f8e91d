from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BackupsGetRuleResponse200RunsItem")


@_attrs_define
class BackupsGetRuleResponse200RunsItem:
    """
    Attributes:
        finished_at (int | None):
        id (int):
        message (str):
        rule_id (int):
        started_at (int):
        status (str):
        trigger (str):
        added (int | Unset):
        archive (str | Unset):
        bytes_ (int | Unset):
        files (int | Unset):
    """

    finished_at: int | None
    id: int
    message: str
    rule_id: int
    started_at: int
    status: str
    trigger: str
    added: int | Unset = UNSET
    archive: str | Unset = UNSET
    bytes_: int | Unset = UNSET
    files: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        finished_at: int | None
        finished_at = self.finished_at

        id = self.id

        message = self.message

        rule_id = self.rule_id

        started_at = self.started_at

        status = self.status

        trigger = self.trigger

        added = self.added

        archive = self.archive

        bytes_ = self.bytes_

        files = self.files

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "finished_at": finished_at,
                "id": id,
                "message": message,
                "rule_id": rule_id,
                "started_at": started_at,
                "status": status,
                "trigger": trigger,
            }
        )
        if added is not UNSET:
            field_dict["added"] = added
        if archive is not UNSET:
            field_dict["archive"] = archive
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if files is not UNSET:
            field_dict["files"] = files

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_finished_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        id = d.pop("id")

        message = d.pop("message")

        rule_id = d.pop("rule_id")

        started_at = d.pop("started_at")

        status = d.pop("status")

        trigger = d.pop("trigger")

        added = d.pop("added", UNSET)

        archive = d.pop("archive", UNSET)

        bytes_ = d.pop("bytes", UNSET)

        files = d.pop("files", UNSET)

        backups_get_rule_response_200_runs_item = cls(
            finished_at=finished_at,
            id=id,
            message=message,
            rule_id=rule_id,
            started_at=started_at,
            status=status,
            trigger=trigger,
            added=added,
            archive=archive,
            bytes_=bytes_,
            files=files,
        )

        return backups_get_rule_response_200_runs_item
