"""Dropbox v2 wire details: content_hash, 409 error summaries, metadata -> Entry, revisions,
timestamps."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx2

from syncoxide.errors import (
    AlreadyExistsError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    SyncoxideError,
)
from syncoxide.providers.contract import Entry, EntryKind, ProviderVersion

CONTENT_HASH_BLOCK = 4 * 1024 * 1024
#: Our name for Dropbox's content_hash in Features and Entry.hashes.
DROPBOX_HASH = "dropbox"
#: Dropbox's documented form of a rev; anything else is refused before it is sent.
REV_PATTERN = re.compile(r"[0-9a-f]{9,}")
#: The most revisions ``list_revisions`` returns (it has no paging).
REVISIONS_LIMIT = 100


class ContentHash:
    """Dropbox's content_hash: SHA-256 over the SHA-256 digests of each 4 MiB block."""

    def __init__(self) -> None:
        self._overall = hashlib.sha256()
        self._block = hashlib.sha256()
        self._filled = 0

    def update(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            take = min(len(view), CONTENT_HASH_BLOCK - self._filled)
            self._block.update(view[:take])
            self._filled += take
            view = view[take:]
            if self._filled == CONTENT_HASH_BLOCK:
                self._overall.update(self._block.digest())
                self._block, self._filled = hashlib.sha256(), 0

    def hexdigest(self) -> str:
        overall = self._overall.copy()
        if self._filled:
            overall.update(self._block.digest())
        return overall.hexdigest()


def api_arg(value: dict[str, Any]) -> str:
    """The ``Dropbox-API-Arg`` header: JSON with non-ASCII escaped, as HTTP headers need."""
    return json.dumps(value, ensure_ascii=True)


def client_modified(mtime_ns: int) -> str:
    """Dropbox keeps whole seconds: the fraction is dropped, not rounded."""
    return datetime.fromtimestamp(mtime_ns // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> int:
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return int(moment.timestamp()) * 10**9


def entry_from(path: str, meta: dict[str, Any]) -> Entry:
    if meta.get(".tag") == "folder":
        return Entry(path, EntryKind.DIR)
    hashes = {DROPBOX_HASH: str(meta["content_hash"])} if "content_hash" in meta else {}
    mtime = parse_time(meta["client_modified"]) if "client_modified" in meta else 0
    return Entry(path, EntryKind.FILE, int(meta.get("size", 0)), mtime, hashes)


def versions_from(reply: dict[str, Any]) -> list[ProviderVersion]:
    """A ``list_revisions`` reply as versions, newest first (the order Dropbox sends). The
    newest is the current content unless the file was deleted or moved away (``is_deleted``)."""
    live = not reply.get("is_deleted")
    return [
        ProviderVersion(
            version_id=str(meta["rev"]),
            size=int(meta.get("size", 0)),
            stored_ns=parse_time(str(meta["server_modified"])),
            current=live and index == 0,
        )
        for index, meta in enumerate(reply.get("entries", []))
    ]


def error_summary(reply: httpx2.Response) -> str:
    try:
        return str(reply.json().get("error_summary", ""))
    except (ValueError, AttributeError):
        return reply.text[:200]


def status_error(reply: httpx2.Response, action: str, path: str) -> SyncoxideError:
    """The syncoxide error for a failed Dropbox reply (409 carries an ``error_summary``)."""
    summary = error_summary(reply)
    if reply.status_code == 409:
        if "invalid_revision" in summary:
            return NotFoundError(
                f"Dropbox keeps no such revision of {path!r}.", hint="Nothing was changed."
            )
        if "not_found" in summary:
            return NotFoundError(f"Dropbox: {path!r} does not exist.")
        if "conflict" in summary:
            return AlreadyExistsError(f"Dropbox: {path!r} already exists ({summary}).")
        if "content_hash_mismatch" in summary:
            return IntegrityError(
                f"Dropbox received different bytes for {path!r} than were sent.",
                hint="Nothing was committed; the previous version was kept.",
            )
        if "insufficient_space" in summary:
            return ProviderError(
                f"Dropbox is out of space while writing {path!r}.",
                hint="Nothing half-written was kept under the final name. Free space, then retry.",
            )
        if "no_write_permission" in summary or "restricted" in summary:
            return PermissionDeniedError(f"Dropbox: no permission to {action} {path!r}.")
    if reply.status_code == 403:
        return PermissionDeniedError(f"Dropbox: no permission to {action} {path!r} ({summary}).")
    return ProviderError(f"Dropbox refused to {action} {path!r} ({reply.status_code} {summary}).")
