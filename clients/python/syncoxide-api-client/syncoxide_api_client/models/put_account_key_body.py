from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PutAccountKeyBody")


@_attrs_define
class PutAccountKeyBody:
    """
    Attributes:
        public_key (str):
        vault (str):
        replace (bool | Unset):
    """

    public_key: str
    vault: str
    replace: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        public_key = self.public_key

        vault = self.vault

        replace = self.replace

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "public_key": public_key,
                "vault": vault,
            }
        )
        if replace is not UNSET:
            field_dict["replace"] = replace

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        public_key = d.pop("public_key")

        vault = d.pop("vault")

        replace = d.pop("replace", UNSET)

        put_account_key_body = cls(
            public_key=public_key,
            vault=vault,
            replace=replace,
        )

        return put_account_key_body
