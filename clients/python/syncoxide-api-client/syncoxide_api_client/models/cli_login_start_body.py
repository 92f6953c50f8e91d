from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CliLoginStartBody")


@_attrs_define
class CliLoginStartBody:
    """
    Attributes:
        challenge (str):
        device (str | Unset):
        port (int | Unset):
    """

    challenge: str
    device: str | Unset = UNSET
    port: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        challenge = self.challenge

        device = self.device

        port = self.port

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "challenge": challenge,
            }
        )
        if device is not UNSET:
            field_dict["device"] = device
        if port is not UNSET:
            field_dict["port"] = port

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        challenge = d.pop("challenge")

        device = d.pop("device", UNSET)

        port = d.pop("port", UNSET)

        cli_login_start_body = cls(
            challenge=challenge,
            device=device,
            port=port,
        )

        return cli_login_start_body
