from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateAccountShareBody")


@_attrs_define
class CreateAccountShareBody:
    """
    Attributes:
        place (str):
        to (str):
        encrypted (bool | Unset):
        expires_in (int | Unset):
        read_only (bool | Unset):
    """

    place: str
    to: str
    encrypted: bool | Unset = UNSET
    expires_in: int | Unset = UNSET
    read_only: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        place = self.place

        to = self.to

        encrypted = self.encrypted

        expires_in = self.expires_in

        read_only = self.read_only

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "place": place,
                "to": to,
            }
        )
        if encrypted is not UNSET:
            field_dict["encrypted"] = encrypted
        if expires_in is not UNSET:
            field_dict["expires_in"] = expires_in
        if read_only is not UNSET:
            field_dict["read_only"] = read_only

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        place = d.pop("place")

        to = d.pop("to")

        encrypted = d.pop("encrypted", UNSET)

        expires_in = d.pop("expires_in", UNSET)

        read_only = d.pop("read_only", UNSET)

        create_account_share_body = cls(
            place=place,
            to=to,
            encrypted=encrypted,
            expires_in=expires_in,
            read_only=read_only,
        )

        return create_account_share_body
