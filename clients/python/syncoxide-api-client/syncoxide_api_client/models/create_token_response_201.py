from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.create_token_response_201_record import CreateTokenResponse201Record


T = TypeVar("T", bound="CreateTokenResponse201")


@_attrs_define
class CreateTokenResponse201:
    """
    Attributes:
        record (CreateTokenResponse201Record):
        token (str):
    """

    record: CreateTokenResponse201Record
    token: str

    def to_dict(self) -> dict[str, Any]:
        record = self.record.to_dict()

        token = self.token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "record": record,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_token_response_201_record import CreateTokenResponse201Record  # noqa: PLC0415

        d = dict(src_dict)
        record = CreateTokenResponse201Record.from_dict(d.pop("record"))

        token = d.pop("token")

        create_token_response_201 = cls(
            record=record,
            token=token,
        )

        return create_token_response_201
