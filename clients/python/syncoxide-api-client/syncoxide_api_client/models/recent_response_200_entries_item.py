from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.recent_response_200_entries_item_kind import RecentResponse200EntriesItemKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="RecentResponse200EntriesItem")


@_attrs_define
class RecentResponse200EntriesItem:
    """
    Attributes:
        action (str):
        at (int):
        content_hash (str):
        kind (RecentResponse200EntriesItemKind):
        location (str):
        mime (str):
        mtime_ns (int):
        path (str):
        size (int):
        source (str):
        id (int | Unset):
        link (str | Unset):
        owner (str | Unset):
        shared (bool | Unset):
    """

    action: str
    at: int
    content_hash: str
    kind: RecentResponse200EntriesItemKind
    location: str
    mime: str
    mtime_ns: int
    path: str
    size: int
    source: str
    id: int | Unset = UNSET
    link: str | Unset = UNSET
    owner: str | Unset = UNSET
    shared: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        at = self.at

        content_hash = self.content_hash

        kind = self.kind.value

        location = self.location

        mime = self.mime

        mtime_ns = self.mtime_ns

        path = self.path

        size = self.size

        source = self.source

        id = self.id

        link = self.link

        owner = self.owner

        shared = self.shared

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "at": at,
                "content_hash": content_hash,
                "kind": kind,
                "location": location,
                "mime": mime,
                "mtime_ns": mtime_ns,
                "path": path,
                "size": size,
                "source": source,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if link is not UNSET:
            field_dict["link"] = link
        if owner is not UNSET:
            field_dict["owner"] = owner
        if shared is not UNSET:
            field_dict["shared"] = shared

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        at = d.pop("at")

        content_hash = d.pop("content_hash")

        kind = RecentResponse200EntriesItemKind(d.pop("kind"))

        location = d.pop("location")

        mime = d.pop("mime")

        mtime_ns = d.pop("mtime_ns")

        path = d.pop("path")

        size = d.pop("size")

        source = d.pop("source")

        id = d.pop("id", UNSET)

        link = d.pop("link", UNSET)

        owner = d.pop("owner", UNSET)

        shared = d.pop("shared", UNSET)

        recent_response_200_entries_item = cls(
            action=action,
            at=at,
            content_hash=content_hash,
            kind=kind,
            location=location,
            mime=mime,
            mtime_ns=mtime_ns,
            path=path,
            size=size,
            source=source,
            id=id,
            link=link,
            owner=owner,
            shared=shared,
        )

        return recent_response_200_entries_item
