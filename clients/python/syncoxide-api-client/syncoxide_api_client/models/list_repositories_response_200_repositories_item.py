from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.list_repositories_response_200_repositories_item_settings import (
        ListRepositoriesResponse200RepositoriesItemSettings,
    )


T = TypeVar("T", bound="ListRepositoriesResponse200RepositoriesItem")


@_attrs_define
class ListRepositoriesResponse200RepositoriesItem:
    """
    Attributes:
        created_at (int):
        encryption (str):
        id (int):
        name (str):
        passphrase_kept (bool):
        settings (ListRepositoriesResponse200RepositoriesItemSettings):
        host_key (str | Unset):
        url (str | Unset):
    """

    created_at: int
    encryption: str
    id: int
    name: str
    passphrase_kept: bool
    settings: ListRepositoriesResponse200RepositoriesItemSettings
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
        from ..models.list_repositories_response_200_repositories_item_settings import (
            ListRepositoriesResponse200RepositoriesItemSettings,  # noqa: PLC0415
        )

        d = dict(src_dict)
        created_at = d.pop("created_at")

        encryption = d.pop("encryption")

        id = d.pop("id")

        name = d.pop("name")

        passphrase_kept = d.pop("passphrase_kept")

        settings = ListRepositoriesResponse200RepositoriesItemSettings.from_dict(d.pop("settings"))

        host_key = d.pop("host_key", UNSET)

        url = d.pop("url", UNSET)

        list_repositories_response_200_repositories_item = cls(
            created_at=created_at,
            encryption=encryption,
            id=id,
            name=name,
            passphrase_kept=passphrase_kept,
            settings=settings,
            host_key=host_key,
            url=url,
        )

        return list_repositories_response_200_repositories_item
