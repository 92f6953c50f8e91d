from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CliLoginStartResponse200")


@_attrs_define
class CliLoginStartResponse200:
    """
    Attributes:
        approve_url (str):
        expires_in (int):
        request (str):
        user_code (str):
    """

    approve_url: str
    expires_in: int
    request: str
    user_code: str

    def to_dict(self) -> dict[str, Any]:
        approve_url = self.approve_url

        expires_in = self.expires_in

        request = self.request

        user_code = self.user_code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "approve_url": approve_url,
                "expires_in": expires_in,
                "request": request,
                "user_code": user_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        approve_url = d.pop("approve_url")

        expires_in = d.pop("expires_in")

        request = d.pop("request")

        user_code = d.pop("user_code")

        cli_login_start_response_200 = cls(
            approve_url=approve_url,
            expires_in=expires_in,
            request=request,
            user_code=user_code,
        )

        return cli_login_start_response_200
