from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SignInResponse200User")


@_attrs_define
class SignInResponse200User:
    """
    Attributes:
        display_name (str):
        id (int):
        name (str):
    """

    display_name: str
    id: int
    name: str

    def to_dict(self) -> dict[str, Any]:
        display_name = self.display_name

        id = self.id

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "display_name": display_name,
                "id": id,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        display_name = d.pop("display_name")

        id = d.pop("id")

        name = d.pop("name")

        sign_in_response_200_user = cls(
            display_name=display_name,
            id=id,
            name=name,
        )

        return sign_in_response_200_user
