from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.me_response_200_user import MeResponse200User


T = TypeVar("T", bound="MeResponse200")


@_attrs_define
class MeResponse200:
    """
    Attributes:
        user (MeResponse200User):
        via (str):
        csrf_token (str | Unset):
    """

    user: MeResponse200User
    via: str
    csrf_token: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        user = self.user.to_dict()

        via = self.via

        csrf_token = self.csrf_token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user": user,
                "via": via,
            }
        )
        if csrf_token is not UNSET:
            field_dict["csrf_token"] = csrf_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.me_response_200_user import MeResponse200User  # noqa: PLC0415

        d = dict(src_dict)
        user = MeResponse200User.from_dict(d.pop("user"))

        via = d.pop("via")

        csrf_token = d.pop("csrf_token", UNSET)

        me_response_200 = cls(
            user=user,
            via=via,
            csrf_token=csrf_token,
        )

        return me_response_200
