from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateRequestBody")


@_attrs_define
class CreateRequestBody:
    """
    Attributes:
        allow_late (bool | Unset):
        allowed_types (str | Unset):
        deadline_in (int | Unset):
        max_files (int | Unset):
        max_total_bytes (int | Unset):
        message (str | Unset):
        password (str | Unset):
        public_key (str | Unset): X25519 public key (base64) that uploads are sealed to
        title (str | Unset):
    """

    allow_late: bool | Unset = UNSET
    allowed_types: str | Unset = UNSET
    deadline_in: int | Unset = UNSET
    max_files: int | Unset = UNSET
    max_total_bytes: int | Unset = UNSET
    message: str | Unset = UNSET
    password: str | Unset = UNSET
    public_key: str | Unset = UNSET
    title: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        allow_late = self.allow_late

        allowed_types = self.allowed_types

        deadline_in = self.deadline_in

        max_files = self.max_files

        max_total_bytes = self.max_total_bytes

        message = self.message

        password = self.password

        public_key = self.public_key

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if allow_late is not UNSET:
            field_dict["allow_late"] = allow_late
        if allowed_types is not UNSET:
            field_dict["allowed_types"] = allowed_types
        if deadline_in is not UNSET:
            field_dict["deadline_in"] = deadline_in
        if max_files is not UNSET:
            field_dict["max_files"] = max_files
        if max_total_bytes is not UNSET:
            field_dict["max_total_bytes"] = max_total_bytes
        if message is not UNSET:
            field_dict["message"] = message
        if password is not UNSET:
            field_dict["password"] = password
        if public_key is not UNSET:
            field_dict["public_key"] = public_key
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allow_late = d.pop("allow_late", UNSET)

        allowed_types = d.pop("allowed_types", UNSET)

        deadline_in = d.pop("deadline_in", UNSET)

        max_files = d.pop("max_files", UNSET)

        max_total_bytes = d.pop("max_total_bytes", UNSET)

        message = d.pop("message", UNSET)

        password = d.pop("password", UNSET)

        public_key = d.pop("public_key", UNSET)

        title = d.pop("title", UNSET)

        create_request_body = cls(
            allow_late=allow_late,
            allowed_types=allowed_types,
            deadline_in=deadline_in,
            max_files=max_files,
            max_total_bytes=max_total_bytes,
            message=message,
            password=password,
            public_key=public_key,
            title=title,
        )

        return create_request_body
