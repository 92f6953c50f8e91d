from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.create_repository_body_encryption import CreateRepositoryBodyEncryption
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateRepositoryBody")


@_attrs_define
class CreateRepositoryBody:
    """
    Attributes:
        name (str):
        create (bool | Unset):
        encryption (CreateRepositoryBodyEncryption | Unset):
        keep_passphrase (bool | Unset):
        passphrase (str | Unset):
        url (str | Unset):
    """

    name: str
    create: bool | Unset = UNSET
    encryption: CreateRepositoryBodyEncryption | Unset = UNSET
    keep_passphrase: bool | Unset = UNSET
    passphrase: str | Unset = UNSET
    url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        create = self.create

        encryption: str | Unset = UNSET
        if not isinstance(self.encryption, Unset):
            encryption = self.encryption.value

        keep_passphrase = self.keep_passphrase

        passphrase = self.passphrase

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if create is not UNSET:
            field_dict["create"] = create
        if encryption is not UNSET:
            field_dict["encryption"] = encryption
        if keep_passphrase is not UNSET:
            field_dict["keep_passphrase"] = keep_passphrase
        if passphrase is not UNSET:
            field_dict["passphrase"] = passphrase
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        create = d.pop("create", UNSET)

        _encryption = d.pop("encryption", UNSET)
        encryption: CreateRepositoryBodyEncryption | Unset
        if isinstance(_encryption, Unset):
            encryption = UNSET
        else:
            encryption = CreateRepositoryBodyEncryption(_encryption)

        keep_passphrase = d.pop("keep_passphrase", UNSET)

        passphrase = d.pop("passphrase", UNSET)

        url = d.pop("url", UNSET)

        create_repository_body = cls(
            name=name,
            create=create,
            encryption=encryption,
            keep_passphrase=keep_passphrase,
            passphrase=passphrase,
            url=url,
        )

        return create_repository_body
