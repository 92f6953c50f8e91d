from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.list_jobs_response_200_jobs_item_result import ListJobsResponse200JobsItemResult


T = TypeVar("T", bound="ListJobsResponse200JobsItem")


@_attrs_define
class ListJobsResponse200JobsItem:
    """
    Attributes:
        attempts (int):
        created_at (float):
        error_code (str):
        finished_at (float | None):
        id (int):
        items (list[str]):
        kind (str):
        max_attempts (int):
        message (str):
        output (str):
        progress (float):
        result (ListJobsResponse200JobsItemResult):
        rule (int | None):
        status (str):
        cancel_requested (bool | Unset):
        run_after (float | Unset):
    """

    attempts: int
    created_at: float
    error_code: str
    finished_at: float | None
    id: int
    items: list[str]
    kind: str
    max_attempts: int
    message: str
    output: str
    progress: float
    result: ListJobsResponse200JobsItemResult
    rule: int | None
    status: str
    cancel_requested: bool | Unset = UNSET
    run_after: float | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        created_at = self.created_at

        error_code = self.error_code

        finished_at: float | None
        finished_at = self.finished_at

        id = self.id

        items = self.items

        kind = self.kind

        max_attempts = self.max_attempts

        message = self.message

        output = self.output

        progress = self.progress

        result = self.result.to_dict()

        rule: int | None
        rule = self.rule

        status = self.status

        cancel_requested = self.cancel_requested

        run_after = self.run_after

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempts": attempts,
                "created_at": created_at,
                "error_code": error_code,
                "finished_at": finished_at,
                "id": id,
                "items": items,
                "kind": kind,
                "max_attempts": max_attempts,
                "message": message,
                "output": output,
                "progress": progress,
                "result": result,
                "rule": rule,
                "status": status,
            }
        )
        if cancel_requested is not UNSET:
            field_dict["cancel_requested"] = cancel_requested
        if run_after is not UNSET:
            field_dict["run_after"] = run_after

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_jobs_response_200_jobs_item_result import ListJobsResponse200JobsItemResult  # noqa: PLC0415

        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = d.pop("created_at")

        error_code = d.pop("error_code")

        def _parse_finished_at(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        id = d.pop("id")

        items = cast(list[str], d.pop("items"))

        kind = d.pop("kind")

        max_attempts = d.pop("max_attempts")

        message = d.pop("message")

        output = d.pop("output")

        progress = d.pop("progress")

        result = ListJobsResponse200JobsItemResult.from_dict(d.pop("result"))

        def _parse_rule(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rule = _parse_rule(d.pop("rule"))

        status = d.pop("status")

        cancel_requested = d.pop("cancel_requested", UNSET)

        run_after = d.pop("run_after", UNSET)

        list_jobs_response_200_jobs_item = cls(
            attempts=attempts,
            created_at=created_at,
            error_code=error_code,
            finished_at=finished_at,
            id=id,
            items=items,
            kind=kind,
            max_attempts=max_attempts,
            message=message,
            output=output,
            progress=progress,
            result=result,
            rule=rule,
            status=status,
            cancel_requested=cancel_requested,
            run_after=run_after,
        )

        return list_jobs_response_200_jobs_item
