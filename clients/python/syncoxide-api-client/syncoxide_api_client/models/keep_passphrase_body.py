from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="KeepPassphraseBody")


@_attrs_define
class KeepPassphraseBody:
    """
    Attributes:
        passphrase (str):
    """

    passphrase: str

    def to_dict(self) -> dict[str, Any]:
        passphrase = self.passphrase

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "passphrase": passphrase,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        passphrase = d.pop("passphrase")

        keep_passphrase_body = cls(
            passphrase=passphrase,
        )

        return keep_passphrase_body
