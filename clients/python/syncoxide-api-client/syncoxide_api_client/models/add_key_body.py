from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AddKeyBody")


@_attrs_define
class AddKeyBody:
    """
    Attributes:
        public_key (str):
        append_only (bool | Unset):
        label (str | Unset):
        quota (str | Unset):
    """

    public_key: str
    append_only: bool | Unset = UNSET
    label: str | Unset = UNSET
    quota: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        public_key = self.public_key

        append_only = self.append_only

        label = self.label

        quota = self.quota

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "public_key": public_key,
            }
        )
        if append_only is not UNSET:
            field_dict["append_only"] = append_only
        if label is not UNSET:
            field_dict["label"] = label
        if quota is not UNSET:
            field_dict["quota"] = quota

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        public_key = d.pop("public_key")

        append_only = d.pop("append_only", UNSET)

        label = d.pop("label", UNSET)

        quota = d.pop("quota", UNSET)

        add_key_body = cls(
            public_key=public_key,
            append_only=append_only,
            label=label,
            quota=quota,
        )

        return add_key_body
