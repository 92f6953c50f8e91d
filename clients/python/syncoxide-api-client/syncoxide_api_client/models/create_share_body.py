from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateShareBody")


@_attrs_define
class CreateShareBody:
    """
    Attributes:
        encrypted (bool | Unset):
        expires_in (int | Unset):
        max_downloads (int | Unset):
        message (str | Unset):
        password (str | Unset):
        title (str | Unset):
    """

    encrypted: bool | Unset = UNSET
    expires_in: int | Unset = UNSET
    max_downloads: int | Unset = UNSET
    message: str | Unset = UNSET
    password: str | Unset = UNSET
    title: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        encrypted = self.encrypted

        expires_in = self.expires_in

        max_downloads = self.max_downloads

        message = self.message

        password = self.password

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if encrypted is not UNSET:
            field_dict["encrypted"] = encrypted
        if expires_in is not UNSET:
            field_dict["expires_in"] = expires_in
        if max_downloads is not UNSET:
            field_dict["max_downloads"] = max_downloads
        if message is not UNSET:
            field_dict["message"] = message
        if password is not UNSET:
            field_dict["password"] = password
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        encrypted = d.pop("encrypted", UNSET)

        expires_in = d.pop("expires_in", UNSET)

        max_downloads = d.pop("max_downloads", UNSET)

        message = d.pop("message", UNSET)

        password = d.pop("password", UNSET)

        title = d.pop("title", UNSET)

        create_share_body = cls(
            encrypted=encrypted,
            expires_in=expires_in,
            max_downloads=max_downloads,
            message=message,
            password=password,
            title=title,
        )

        return create_share_body
