from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AccountShareKeysResponse200OwnerType0")


@_attrs_define
class AccountShareKeysResponse200OwnerType0:
    """
    Attributes:
        fingerprint (str):
        name (str):
        public_key (str):
    """

    fingerprint: str
    name: str
    public_key: str

    def to_dict(self) -> dict[str, Any]:
        fingerprint = self.fingerprint

        name = self.name

        public_key = self.public_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "fingerprint": fingerprint,
                "name": name,
                "public_key": public_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        fingerprint = d.pop("fingerprint")

        name = d.pop("name")

        public_key = d.pop("public_key")

        account_share_keys_response_200_owner_type_0 = cls(
            fingerprint=fingerprint,
            name=name,
            public_key=public_key,
        )

        return account_share_keys_response_200_owner_type_0
