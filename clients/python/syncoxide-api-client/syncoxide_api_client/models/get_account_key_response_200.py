from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GetAccountKeyResponse200")


@_attrs_define
class GetAccountKeyResponse200:
    """
    Attributes:
        created_at (int):
        fingerprint (str):
        name (str):
        public_key (str):
        vault (str):
    """

    created_at: int
    fingerprint: str
    name: str
    public_key: str
    vault: str

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        fingerprint = self.fingerprint

        name = self.name

        public_key = self.public_key

        vault = self.vault

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created_at": created_at,
                "fingerprint": fingerprint,
                "name": name,
                "public_key": public_key,
                "vault": vault,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        fingerprint = d.pop("fingerprint")

        name = d.pop("name")

        public_key = d.pop("public_key")

        vault = d.pop("vault")

        get_account_key_response_200 = cls(
            created_at=created_at,
            fingerprint=fingerprint,
            name=name,
            public_key=public_key,
            vault=vault,
        )

        return get_account_key_response_200
