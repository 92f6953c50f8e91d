from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="IdentityResponse200")


@_attrs_define
class IdentityResponse200:
    """
    Attributes:
        authorized_keys (str):
        fingerprint (str):
        public_key (str):
    """

    authorized_keys: str
    fingerprint: str
    public_key: str

    def to_dict(self) -> dict[str, Any]:
        authorized_keys = self.authorized_keys

        fingerprint = self.fingerprint

        public_key = self.public_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "authorized_keys": authorized_keys,
                "fingerprint": fingerprint,
                "public_key": public_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        authorized_keys = d.pop("authorized_keys")

        fingerprint = d.pop("fingerprint")

        public_key = d.pop("public_key")

        identity_response_200 = cls(
            authorized_keys=authorized_keys,
            fingerprint=fingerprint,
            public_key=public_key,
        )

        return identity_response_200
