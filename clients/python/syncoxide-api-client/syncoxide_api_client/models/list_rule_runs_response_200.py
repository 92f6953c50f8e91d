from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_rule_runs_response_200_runs_item import ListRuleRunsResponse200RunsItem


T = TypeVar("T", bound="ListRuleRunsResponse200")


@_attrs_define
class ListRuleRunsResponse200:
    """
    Attributes:
        runs (list[ListRuleRunsResponse200RunsItem]):
    """

    runs: list[ListRuleRunsResponse200RunsItem]

    def to_dict(self) -> dict[str, Any]:
        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "runs": runs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_rule_runs_response_200_runs_item import ListRuleRunsResponse200RunsItem  # noqa: PLC0415

        d = dict(src_dict)
        runs = []
        _runs = d.pop("runs")
        for runs_item_data in _runs:
            runs_item = ListRuleRunsResponse200RunsItem.from_dict(runs_item_data)

            runs.append(runs_item)

        list_rule_runs_response_200 = cls(
            runs=runs,
        )

        return list_rule_runs_response_200
