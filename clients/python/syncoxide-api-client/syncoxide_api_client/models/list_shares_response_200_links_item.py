from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.list_shares_response_200_links_item_files_item import ListSharesResponse200LinksItemFilesItem


T = TypeVar("T", bound="ListSharesResponse200LinksItem")


@_attrs_define
class ListSharesResponse200LinksItem:
    """
    Attributes:
        expires_at (int | None):
        id (str):
        message (str):
        protected (bool):
        title (str):
        url (str):
        allow_late (bool | Unset):
        allowed_types (str | Unset):
        downloads (int | Unset):
        encrypted (bool | Unset):
        files (list[ListSharesResponse200LinksItemFilesItem] | Unset):
        max_downloads (int | None | Unset):
        max_files (int | None | Unset):
        max_total_bytes (int | None | Unset):
        public_key (str | Unset):
        revoked_at (int | None | Unset):
        torrent_url (str | Unset):
        upload_header (str | Unset):
        upload_url (str | Unset):
        zip_url (str | Unset):
    """

    expires_at: int | None
    id: str
    message: str
    protected: bool
    title: str
    url: str
    allow_late: bool | Unset = UNSET
    allowed_types: str | Unset = UNSET
    downloads: int | Unset = UNSET
    encrypted: bool | Unset = UNSET
    files: list[ListSharesResponse200LinksItemFilesItem] | Unset = UNSET
    max_downloads: int | None | Unset = UNSET
    max_files: int | None | Unset = UNSET
    max_total_bytes: int | None | Unset = UNSET
    public_key: str | Unset = UNSET
    revoked_at: int | None | Unset = UNSET
    torrent_url: str | Unset = UNSET
    upload_header: str | Unset = UNSET
    upload_url: str | Unset = UNSET
    zip_url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        expires_at: int | None
        expires_at = self.expires_at

        id = self.id

        message = self.message

        protected = self.protected

        title = self.title

        url = self.url

        allow_late = self.allow_late

        allowed_types = self.allowed_types

        downloads = self.downloads

        encrypted = self.encrypted

        files: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.files, Unset):
            files = []
            for files_item_data in self.files:
                files_item = files_item_data.to_dict()
                files.append(files_item)

        max_downloads: int | None | Unset
        if isinstance(self.max_downloads, Unset):
            max_downloads = UNSET
        else:
            max_downloads = self.max_downloads

        max_files: int | None | Unset
        if isinstance(self.max_files, Unset):
            max_files = UNSET
        else:
            max_files = self.max_files

        max_total_bytes: int | None | Unset
        if isinstance(self.max_total_bytes, Unset):
            max_total_bytes = UNSET
        else:
            max_total_bytes = self.max_total_bytes

        public_key = self.public_key

        revoked_at: int | None | Unset
        if isinstance(self.revoked_at, Unset):
            revoked_at = UNSET
        else:
            revoked_at = self.revoked_at

        torrent_url = self.torrent_url

        upload_header = self.upload_header

        upload_url = self.upload_url

        zip_url = self.zip_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "expires_at": expires_at,
                "id": id,
                "message": message,
                "protected": protected,
                "title": title,
                "url": url,
            }
        )
        if allow_late is not UNSET:
            field_dict["allow_late"] = allow_late
        if allowed_types is not UNSET:
            field_dict["allowed_types"] = allowed_types
        if downloads is not UNSET:
            field_dict["downloads"] = downloads
        if encrypted is not UNSET:
            field_dict["encrypted"] = encrypted
        if files is not UNSET:
            field_dict["files"] = files
        if max_downloads is not UNSET:
            field_dict["max_downloads"] = max_downloads
        if max_files is not UNSET:
            field_dict["max_files"] = max_files
        if max_total_bytes is not UNSET:
            field_dict["max_total_bytes"] = max_total_bytes
        if public_key is not UNSET:
            field_dict["public_key"] = public_key
        if revoked_at is not UNSET:
            field_dict["revoked_at"] = revoked_at
        if torrent_url is not UNSET:
            field_dict["torrent_url"] = torrent_url
        if upload_header is not UNSET:
            field_dict["upload_header"] = upload_header
        if upload_url is not UNSET:
            field_dict["upload_url"] = upload_url
        if zip_url is not UNSET:
            field_dict["zip_url"] = zip_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_shares_response_200_links_item_files_item import ListSharesResponse200LinksItemFilesItem  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_expires_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        id = d.pop("id")

        message = d.pop("message")

        protected = d.pop("protected")

        title = d.pop("title")

        url = d.pop("url")

        allow_late = d.pop("allow_late", UNSET)

        allowed_types = d.pop("allowed_types", UNSET)

        downloads = d.pop("downloads", UNSET)

        encrypted = d.pop("encrypted", UNSET)

        _files = d.pop("files", UNSET)
        files: list[ListSharesResponse200LinksItemFilesItem] | Unset = UNSET
        if _files is not UNSET:
            files = []
            for files_item_data in _files:
                files_item = ListSharesResponse200LinksItemFilesItem.from_dict(files_item_data)

                files.append(files_item)

        def _parse_max_downloads(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_downloads = _parse_max_downloads(d.pop("max_downloads", UNSET))

        def _parse_max_files(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_files = _parse_max_files(d.pop("max_files", UNSET))

        def _parse_max_total_bytes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_total_bytes = _parse_max_total_bytes(d.pop("max_total_bytes", UNSET))

        public_key = d.pop("public_key", UNSET)

        def _parse_revoked_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at", UNSET))

        torrent_url = d.pop("torrent_url", UNSET)

        upload_header = d.pop("upload_header", UNSET)

        upload_url = d.pop("upload_url", UNSET)

        zip_url = d.pop("zip_url", UNSET)

        list_shares_response_200_links_item = cls(
            expires_at=expires_at,
            id=id,
            message=message,
            protected=protected,
            title=title,
            url=url,
            allow_late=allow_late,
            allowed_types=allowed_types,
            downloads=downloads,
            encrypted=encrypted,
            files=files,
            max_downloads=max_downloads,
            max_files=max_files,
            max_total_bytes=max_total_bytes,
            public_key=public_key,
            revoked_at=revoked_at,
            torrent_url=torrent_url,
            upload_header=upload_header,
            upload_url=upload_url,
            zip_url=zip_url,
        )

        return list_shares_response_200_links_item
