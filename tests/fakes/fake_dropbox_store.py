"""State of the FAKE Dropbox (not Dropbox): items by lower-cased path, the revisions kept at
each path, a change log, sessions.

Like Dropbox, names are case-insensitive and case-preserving, parents are created by uploads
and moves, and deleting a folder deletes everything inside it. Errors are raised as
``DropboxError(summary)`` and turned into 409 replies with Dropbox's ``error_summary`` form.

Revisions: every file committed at a path (upload, restore, a move onto it) is kept there
under its own ``rev``, also after the file is overwritten or deleted, as Dropbox's history in
``mode: path`` is. A restore commits the old revision's bytes and ``client_modified`` as a new
revision, so the one it replaces stays listed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

BLOCK = 4 * 1024 * 1024


def content_hash(content: bytes) -> str:
    """Dropbox's documented scheme: SHA-256 of the concatenated SHA-256s of 4 MiB blocks."""
    blocks = [content[i : i + BLOCK] for i in range(0, len(content), BLOCK)]
    return hashlib.sha256(b"".join(hashlib.sha256(b).digest() for b in blocks)).hexdigest()


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DropboxError(Exception):
    """A 409 route error: ``summary`` like ``path/not_found/``; ``detail`` is the error body."""

    def __init__(self, summary: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        tag = summary.split("/")[0]
        self.detail = detail or {".tag": tag}


@dataclass
class Item:
    path_display: str
    is_folder: bool
    content: bytes = b""
    client_modified: str = field(default_factory=now_text)
    server_modified: str = field(default_factory=now_text)
    rev: str = field(default_factory=lambda: secrets.token_hex(8))
    id: str = field(default_factory=lambda: "id:" + secrets.token_hex(8))

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            ".tag": "folder" if self.is_folder else "file",
            "name": self.path_display.rpartition("/")[2],
            "path_lower": self.path_display.lower(),
            "path_display": self.path_display,
            "id": self.id,
        }
        if not self.is_folder:
            meta |= {
                "client_modified": self.client_modified,
                "server_modified": self.server_modified,
                "rev": self.rev,
                "size": len(self.content),
                "content_hash": content_hash(self.content),
                "is_downloadable": True,
            }
        return meta


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(2, len(parts))]


def check_path(path: str) -> None:
    if not path.startswith("/") or path.endswith("/") or "//" in path:
        raise DropboxError("path/malformed_path/")


@dataclass
class Session:
    received: bytearray = field(default_factory=bytearray)
    closed: bool = False


class DropboxStore:
    def __init__(self) -> None:
        self.items: dict[str, Item] = {}
        self.log: list[tuple[str, bool]] = []  # (path_lower, deleted)
        self.sessions: dict[str, Session] = {}
        self.history: dict[str, list[Item]] = {}  # path_lower -> revisions, oldest first
        self.deleted_at: dict[str, str] = {}  # path_lower -> when its file was deleted

    def _commit(self, item: Item) -> Item:
        key = item.path_display.lower()
        self.items[key] = item
        self.history.setdefault(key, []).append(replace(item))
        self.deleted_at.pop(key, None)
        self.log.append((key, False))
        return item

    def revisions(self, path: str) -> tuple[list[Item], str | None]:
        """The revisions kept at ``path``, newest first, and when its file was deleted."""
        check_path(path)
        item = self.items.get(path.lower())
        if item is not None and item.is_folder:
            raise DropboxError("path/not_file/")
        kept = self.history.get(path.lower())
        if not kept:
            raise DropboxError("path/not_found/")
        return kept[::-1], self.deleted_at.get(path.lower())

    def revision(self, rev: str) -> Item:
        found = next((i for kept in self.history.values() for i in kept if i.rev == rev), None)
        if found is None:
            raise DropboxError("path/not_found/")
        return found

    def restore(self, path: str, rev: str) -> Item:
        check_path(path)
        try:
            old = self.revision(rev)
        except DropboxError:
            raise DropboxError("invalid_revision/") from None
        existing = self.items.get(path.lower())
        if existing is not None and existing.is_folder:
            raise DropboxError("path_write/conflict/folder/")
        self._make_parents(path)
        item = Item(path, False, old.content, client_modified=old.client_modified)
        return self._commit(item)

    def get(self, path: str) -> Item:
        check_path(path)
        found = self.items.get(path.lower())
        if found is None:
            raise DropboxError("path/not_found/")
        return found

    def is_folder(self, path: str) -> bool:
        return path == "" or self.get(path).is_folder

    def under(self, path: str, recursive: bool) -> list[Item]:
        prefix = path.lower() + "/"
        found = [
            item
            for key, item in self.items.items()
            if key.startswith(prefix) and (recursive or "/" not in key[len(prefix) :])
        ]
        return sorted(found, key=lambda item: item.path_display.lower())

    def _make_parents(self, path: str) -> None:
        for ancestor in _ancestors(path):
            existing = self.items.get(ancestor.lower())
            if existing is not None and not existing.is_folder:
                raise DropboxError("path/conflict/file/")
            if existing is None:
                self.items[ancestor.lower()] = Item(ancestor, True)
                self.log.append((ancestor.lower(), False))

    def put(self, commit: dict[str, Any], content: bytes, wanted_hash: str | None) -> Item:
        path = str(commit["path"])
        check_path(path)
        if wanted_hash is not None and wanted_hash != content_hash(content):
            raise DropboxError("content_hash_mismatch/")
        existing = self.items.get(path.lower())
        mode = commit.get("mode", "add")
        mode = mode.get(".tag") if isinstance(mode, dict) else mode
        if existing is not None and existing.is_folder:
            raise DropboxError("path/conflict/folder/")
        if existing is not None and mode == "add":
            raise DropboxError("path/conflict/file/")
        self._make_parents(path)
        item = Item(path, False, content)
        item.client_modified = str(commit.get("client_modified") or item.server_modified)
        return self._commit(item)

    def make_folder(self, path: str) -> Item:
        check_path(path)
        existing = self.items.get(path.lower())
        if existing is not None:
            kind = "folder" if existing.is_folder else "file"
            raise DropboxError(f"path/conflict/{kind}/")
        self._make_parents(path)
        self.items[path.lower()] = item = Item(path, True)
        self.log.append((path.lower(), False))
        return item

    def delete(self, path: str) -> Item:
        try:
            item = self.get(path)
        except DropboxError:
            raise DropboxError("path_lookup/not_found/") from None
        for gone in [*self.under(path, recursive=True), item]:
            del self.items[gone.path_display.lower()]
            self.log.append((gone.path_display.lower(), True))
            if not gone.is_folder:
                self.deleted_at[gone.path_display.lower()] = now_text()
        return item

    def move(self, source: str, target: str) -> Item:
        try:
            item = self.get(source)
        except DropboxError:
            raise DropboxError("from_lookup/not_found/") from None
        check_path(target)
        if target.lower().startswith(source.lower() + "/"):
            raise DropboxError("to/cant_move_folder_into_itself/")
        existing = self.items.get(target.lower())
        if existing is not None and target.lower() != source.lower():
            kind = "folder" if existing.is_folder else "file"
            raise DropboxError(f"to/conflict/{kind}/")
        self._make_parents(target)
        for moving in [item, *self.under(source, recursive=True)]:
            del self.items[moving.path_display.lower()]
            self.log.append((moving.path_display.lower(), True))
            if not moving.is_folder:
                self.deleted_at[moving.path_display.lower()] = now_text()
            moving.path_display = target + moving.path_display[len(source) :]
            if moving.is_folder:
                self.items[moving.path_display.lower()] = moving
                self.log.append((moving.path_display.lower(), False))
            else:
                self._commit(moving)
        return item
