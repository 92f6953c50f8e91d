from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AddKeyResponse201")


@_attrs_define
class AddKeyResponse201:
    """
    Attributes:
        append_only (bool):
        created_at (int):
        id (int):
        label (str):
        public_key (str):
        quota (str):
    """

    append_only: bool
    created_at: int
    id: int
    label: str
    public_key: str
    quota: str

    def to_dict(self) -> dict[str, Any]:
        append_only = self.append_only

        created_at = self.created_at

        id = self.id

        label = self.label

        public_key = self.public_key

        quota = self.quota

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "append_only": append_only,
                "created_at": created_at,
                "id": id,
                "label": label,
                "public_key": public_key,
                "quota": quota,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        append_only = d.pop("append_only")

        created_at = d.pop("created_at")

        id = d.pop("id")

        label = d.pop("label")

        public_key = d.pop("public_key")

        quota = d.pop("quota")

        add_key_response_201 = cls(
            append_only=append_only,
            created_at=created_at,
            id=id,
            label=label,
            public_key=public_key,
            quota=quota,
        )

        return add_key_response_201
