from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.automation_list_rules_response_200_rules_item import AutomationListRulesResponse200RulesItem


T = TypeVar("T", bound="AutomationListRulesResponse200")


@_attrs_define
class AutomationListRulesResponse200:
    """
    Attributes:
        rules (list[AutomationListRulesResponse200RulesItem]):
    """

    rules: list[AutomationListRulesResponse200RulesItem]

    def to_dict(self) -> dict[str, Any]:
        rules = []
        for rules_item_data in self.rules:
            rules_item = rules_item_data.to_dict()
            rules.append(rules_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rules": rules,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.automation_list_rules_response_200_rules_item import AutomationListRulesResponse200RulesItem  # noqa: PLC0415

        d = dict(src_dict)
        rules = []
        _rules = d.pop("rules")
        for rules_item_data in _rules:
            rules_item = AutomationListRulesResponse200RulesItem.from_dict(rules_item_data)

            rules.append(rules_item)

        automation_list_rules_response_200 = cls(
            rules=rules,
        )

        return automation_list_rules_response_200
