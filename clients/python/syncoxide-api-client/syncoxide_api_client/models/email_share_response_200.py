from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="EmailShareResponse200")


@_attrs_define
class EmailShareResponse200:
    """
    Attributes:
        message_id (str):
        to (str):
    """

    message_id: str
    to: str

    def to_dict(self) -> dict[str, Any]:
        message_id = self.message_id

        to = self.to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "message_id": message_id,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message_id = d.pop("message_id")

        to = d.pop("to")

        email_share_response_200 = cls(
            message_id=message_id,
            to=to,
        )

        return email_share_response_200
