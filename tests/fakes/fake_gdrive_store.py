"""State of the FAKE Google Drive: files by id, their revisions, the changes log, and the ``q``
query subset.

Revisions as Drive keeps them for files with binary content: every content upload adds one,
the last is the head (the file's current content), older ones are never thinned here. A
revision's ``modifiedTime`` is the file's ``modifiedTime`` when that content was stored.

Not Google Drive. Supported ``q`` clauses, joined by ``and``: ``'<id>' in parents``,
``trashed = true|false``, ``name = '<s>'``, ``mimeType = '<s>'``, ``mimeType != '<s>'``.
Anything else is refused with 400, so a provider that starts relying on more fails loudly.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FOLDER_MIME = "application/vnd.google-apps.folder"
ROOT_ID = "fake-root-folder"
_LITERAL = r"'((?:[^'\\]|\\.)*)'"
_CLAUSES = [
    (re.compile(_LITERAL + r"\s+in\s+parents"), "parents"),
    (re.compile(r"trashed\s*=\s*(true|false)"), "trashed"),
    (re.compile(r"(name|mimeType)\s*(=|!=)\s*" + _LITERAL), "field"),
]


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class DriveRevision:
    id: str
    modified: str
    content: bytes

    def metadata(self, name: str, mime: str) -> dict[str, Any]:
        """Drive v3's Revision resource for a file with binary content."""
        return {
            "kind": "drive#revision",
            "id": self.id,
            "mimeType": mime,
            "modifiedTime": self.modified,
            "keepForever": False,
            "originalFilename": name,
            "md5Checksum": hashlib.md5(self.content).hexdigest(),
            "size": str(len(self.content)),
        }


@dataclass
class DriveFile:
    id: str
    name: str
    mime: str
    parents: list[str]
    modified: str = field(default_factory=now_rfc3339)
    content: bytes = b""
    trashed: bool = False
    revisions: list[DriveRevision] = field(default_factory=list)

    def keep_revision(self) -> None:
        """The content just stored becomes the head revision; older ones stay listed."""
        self.revisions.append(
            DriveRevision("0B" + secrets.token_hex(12), self.modified, self.content)
        )

    def revision(self, revision_id: str) -> DriveRevision | None:
        return next((r for r in self.revisions if r.id == revision_id), None)

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime,
            "parents": list(self.parents),
            "modifiedTime": self.modified,
            "trashed": self.trashed,
        }
        if self.mime != FOLDER_MIME:
            meta["size"] = str(len(self.content))
            meta["md5Checksum"] = hashlib.md5(self.content).hexdigest()
            meta["sha1Checksum"] = hashlib.sha1(self.content).hexdigest()
            meta["sha256Checksum"] = hashlib.sha256(self.content).hexdigest()
        return meta


class QueryError(ValueError):
    pass


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_query(q: str) -> Callable[[DriveFile], bool]:
    """The predicate for a ``q`` string in the supported subset; QueryError otherwise."""
    tests: list[Callable[[DriveFile], bool]] = []
    rest = q.strip()
    while rest:
        for pattern, kind in _CLAUSES:
            match = pattern.match(rest)
            if match:
                tests.append(_clause(kind, match.groups()))
                rest = rest[match.end() :].strip()
                break
        else:
            raise QueryError(f"unsupported query near {rest[:40]!r}")
        if rest:
            if not rest.startswith("and "):
                raise QueryError(f"expected 'and' near {rest[:40]!r}")
            rest = rest[4:].strip()
    return lambda f: all(test(f) for test in tests)


def _clause(kind: str, groups: tuple[str, ...]) -> Callable[[DriveFile], bool]:
    if kind == "parents":
        parent = _unescape(groups[0])
        return lambda f: parent in f.parents
    if kind == "trashed":
        wanted = groups[0] == "true"
        return lambda f: f.trashed is wanted
    name, op, value = groups[0], groups[1], _unescape(groups[2])
    attribute = "name" if name == "name" else "mime"
    if op == "=":
        return lambda f: getattr(f, attribute) == value
    return lambda f: getattr(f, attribute) != value


@dataclass
class UploadSession:
    file_id: str | None
    metadata: dict[str, Any]
    received: bytearray = field(default_factory=bytearray)


class DriveStore:
    """Files by id plus a change log; the fake's routes call only these methods."""

    def __init__(self) -> None:
        self.files: dict[str, DriveFile] = {
            ROOT_ID: DriveFile(ROOT_ID, "My Drive", FOLDER_MIME, [])
        }
        self.changes: list[tuple[str, bool]] = []  # (file id, removed)
        self.sessions: dict[str, UploadSession] = {}

    def record(self, file_id: str, removed: bool = False) -> None:
        self.changes.append((file_id, removed))

    def live(self, file_id: str) -> DriveFile | None:
        return self.files.get(ROOT_ID if file_id == "root" else file_id)

    def create(self, metadata: dict[str, Any], content: bytes = b"") -> DriveFile:
        parents = [ROOT_ID if p == "root" else p for p in metadata.get("parents", [ROOT_ID])]
        created = DriveFile(
            id="f" + secrets.token_hex(8),
            name=str(metadata.get("name", "Untitled")),
            mime=str(metadata.get("mimeType", "application/octet-stream")),
            parents=parents,
            modified=str(metadata.get("modifiedTime") or now_rfc3339()),
            content=content,
        )
        if created.mime != FOLDER_MIME:
            created.keep_revision()
        self.files[created.id] = created
        self.record(created.id)
        return created

    def update(self, found: DriveFile, metadata: dict[str, Any], content: bytes | None) -> None:
        if "name" in metadata:
            found.name = str(metadata["name"])
        if content is not None:
            found.content = content
            found.modified = now_rfc3339()
        if metadata.get("modifiedTime"):
            found.modified = str(metadata["modifiedTime"])
        if content is not None:
            found.keep_revision()
        self.record(found.id)

    def delete(self, found: DriveFile) -> None:
        # Drive deletes a folder with everything inside it.
        for child in [f for f in self.files.values() if found.id in f.parents]:
            self.delete(child)
        del self.files[found.id]
        self.record(found.id, removed=True)

    def open_session(self, file_id: str | None, metadata: dict[str, Any]) -> str:
        session_id = secrets.token_hex(12)
        self.sessions[session_id] = UploadSession(file_id, metadata)
        return session_id

    def commit(self, session: UploadSession) -> DriveFile:
        content = bytes(session.received)
        if session.file_id is None:
            return self.create(session.metadata, content)
        found = self.files[session.file_id]
        self.update(found, session.metadata, content)
        return found
