from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CliLoginTokenBody")


@_attrs_define
class CliLoginTokenBody:
    """
    Attributes:
        code (str):
        verifier (str):
    """

    code: str
    verifier: str

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        verifier = self.verifier

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "verifier": verifier,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        verifier = d.pop("verifier")

        cli_login_token_body = cls(
            code=code,
            verifier=verifier,
        )

        return cli_login_token_body
