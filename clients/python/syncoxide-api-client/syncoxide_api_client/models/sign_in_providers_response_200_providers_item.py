from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SignInProvidersResponse200ProvidersItem")


@_attrs_define
class SignInProvidersResponse200ProvidersItem:
    """
    Attributes:
        label (str):
        name (str):
    """

    label: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        label = self.label

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "label": label,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        label = d.pop("label")

        name = d.pop("name")

        sign_in_providers_response_200_providers_item = cls(
            label=label,
            name=name,
        )

        return sign_in_providers_response_200_providers_item
