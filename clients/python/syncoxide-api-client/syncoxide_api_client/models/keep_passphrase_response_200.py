from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.keep_passphrase_response_200_settings import KeepPassphraseResponse200Settings


T = TypeVar("T", bound="KeepPassphraseResponse200")


@_attrs_define
class KeepPassphraseResponse200:
    """
    Attributes:
        created_at (int):
        encryption (str):
        id (int):
        name (str):
        passphrase_kept (bool):
        settings (KeepPassphraseResponse200Settings):
        host_key (str | Unset):
        url (str | Unset):
    """

    created_at: int
    encryption: str
    id: int
    name: str
    passphrase_kept: bool
    settings: KeepPassphraseResponse200Settings
    host_key: str | Unset = UNSET
    url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        encryption = self.encryption

        id = self.id

        name = self.name

        passphrase_kept = self.passphrase_kept

        settings = self.settings.to_dict()

        host_key = self.host_key

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created_at": created_at,
                "encryption": encryption,
                "id": id,
                "name": name,
                "passphrase_kept": passphrase_kept,
                "settings": settings,
            }
        )
        if host_key is not UNSET:
            field_dict["host_key"] = host_key
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.keep_passphrase_response_200_settings import KeepPassphraseResponse200Settings  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        encryption = d.pop("encryption")

        id = d.pop("id")

        name = d.pop("name")

        passphrase_kept = d.pop("passphrase_kept")

        settings = KeepPassphraseResponse200Settings.from_dict(d.pop("settings"))

        host_key = d.pop("host_key", UNSET)

        url = d.pop("url", UNSET)

        keep_passphrase_response_200 = cls(
            created_at=created_at,
            encryption=encryption,
            id=id,
            name=name,
            passphrase_kept=passphrase_kept,
            settings=settings,
            host_key=host_key,
            url=url,
        )

        return keep_passphrase_response_200
