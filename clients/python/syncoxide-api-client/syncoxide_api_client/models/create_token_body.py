from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateTokenBody")


@_attrs_define
class CreateTokenBody:
    """
    Attributes:
        expires_in_days (int | Unset):
        label (str | Unset):
    """

    expires_in_days: int | Unset = UNSET
    label: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        expires_in_days = self.expires_in_days

        label = self.label

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if expires_in_days is not UNSET:
            field_dict["expires_in_days"] = expires_in_days
        if label is not UNSET:
            field_dict["label"] = label

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_in_days = d.pop("expires_in_days", UNSET)

        label = d.pop("label", UNSET)

        create_token_body = cls(
            expires_in_days=expires_in_days,
            label=label,
        )

        return create_token_body
