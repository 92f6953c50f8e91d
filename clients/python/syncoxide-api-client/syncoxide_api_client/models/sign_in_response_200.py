from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.sign_in_response_200_user import SignInResponse200User


T = TypeVar("T", bound="SignInResponse200")


@_attrs_define
class SignInResponse200:
    """
    Attributes:
        csrf_token (str):
        user (SignInResponse200User):
    """

    csrf_token: str
    user: SignInResponse200User

    def to_dict(self) -> dict[str, Any]:
        csrf_token = self.csrf_token

        user = self.user.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "csrf_token": csrf_token,
                "user": user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sign_in_response_200_user import SignInResponse200User  # noqa: PLC0415

        d = dict(src_dict)
        csrf_token = d.pop("csrf_token")

        user = SignInResponse200User.from_dict(d.pop("user"))

        sign_in_response_200 = cls(
            csrf_token=csrf_token,
            user=user,
        )

        return sign_in_response_200
