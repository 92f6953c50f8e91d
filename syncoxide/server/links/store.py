"""Share links and request-files links in the server's database (SQLite migration 3).

Both kinds live in one ``links`` table: a share offers files for download, a request collects
files from strangers, and both are a titled set of files behind an unguessable id. Every
method is one statement through the shared handle (storage/database.py), on SQLite or
PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from syncoxide.server.storage.database import Database, sqlite_at


@dataclass(frozen=True)
class Link:
    id: str
    kind: str  # "share" or "request"
    user_id: int
    title: str
    message: str
    created_at: int
    expires_at: int | None  # a share's expiry, a request's deadline
    allow_late: bool
    max_downloads: int | None
    downloads: int
    last_download_at: int | None
    password_hash: str | None = field(repr=False)
    access_secret: str = field(repr=False)  # the cookie value once the password was given
    revoked_at: int | None
    max_total_bytes: int | None
    max_files: int | None
    allowed_types: str  # comma-separated extensions (".pdf") or MIME prefixes ("image/")
    encrypted: bool = False  # end to end: the server holds only ciphertext files and names
    public_key: str = ""  # base64 X25519 key uploads are sealed to; "" when not encrypted


@dataclass(frozen=True)
class LinkFile:
    id: int
    link_id: str
    path: str
    size: int
    crc32: int
    sha256: str
    blob_key: str
    late: bool
    created_at: int


_LINK_COLUMNS = ", ".join(f.name for f in fields(Link))
_FILE_COLUMNS = ", ".join(f.name for f in fields(LinkFile))


def _link(row: Any) -> Link | None:
    if row is None:
        return None
    values = dict(zip([f.name for f in fields(Link)], row, strict=True))
    values["allow_late"] = bool(values["allow_late"])
    values["encrypted"] = bool(values["encrypted"])
    return Link(**values)


def _file(row: Any) -> LinkFile:
    values = dict(zip([f.name for f in fields(LinkFile)], row, strict=True))
    values["late"] = bool(values["late"])
    return LinkFile(**values)


class LinkStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    @classmethod
    def open(cls, path: Path) -> LinkStore:
        return cls(sqlite_at(path))

    async def add(self, link: Link) -> None:
        placeholders = ", ".join("?" for _ in fields(Link))
        values = [getattr(link, f.name) for f in fields(Link)]
        self._db.execute(f"INSERT INTO links ({_LINK_COLUMNS}) VALUES ({placeholders})", values)  # noqa: S608

    async def get(self, link_id: str) -> Link | None:
        sql = f"SELECT {_LINK_COLUMNS} FROM links WHERE id = ?"  # noqa: S608
        return _link(self._db.execute(sql, (link_id,)).one())

    async def of_user(self, user_id: int, kind: str) -> Sequence[Link]:
        sql = (
            f"SELECT {_LINK_COLUMNS} FROM links WHERE user_id = ? AND kind = ?"  # noqa: S608
            " ORDER BY created_at DESC"
        )
        rows = self._db.execute(sql, (user_id, kind)).rows
        return [link for link in map(_link, rows) if link is not None]

    async def revoke(self, link_id: str, now: int) -> None:
        self._db.execute(
            "UPDATE links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, link_id)
        )

    async def count_download(self, link_id: str, now: int) -> bool:
        """Count one download if the limit allows it, atomically; False when exhausted."""
        cursor = self._db.execute(
            "UPDATE links SET downloads = downloads + 1, last_download_at = ?"
            " WHERE id = ? AND (max_downloads IS NULL OR downloads < max_downloads)",
            (now, link_id),
        )
        return cursor.rowcount == 1

    async def add_file(self, file: LinkFile) -> LinkFile:
        new_id = self._db.insert(
            "INSERT INTO link_files (link_id, path, size, crc32, sha256, blob_key, late,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                file.link_id,
                file.path,
                file.size,
                file.crc32,
                file.sha256,
                file.blob_key,
                file.late,
                file.created_at,
            ),
        )
        return LinkFile(**{**file.__dict__, "id": new_id})

    async def files(self, link_id: str) -> Sequence[LinkFile]:
        sql = f"SELECT {_FILE_COLUMNS} FROM link_files WHERE link_id = ? ORDER BY path"  # noqa: S608
        return [_file(row) for row in self._db.execute(sql, (link_id,)).rows]

    async def file(self, link_id: str, file_id: int) -> LinkFile | None:
        sql = f"SELECT {_FILE_COLUMNS} FROM link_files WHERE link_id = ? AND id = ?"  # noqa: S608
        row = self._db.execute(sql, (link_id, file_id)).one()
        return _file(row) if row else None

    async def remove_file(self, link_id: str, file_id: int) -> None:
        """Forget one received file (its blob is the caller's to delete)."""
        self._db.execute("DELETE FROM link_files WHERE link_id = ? AND id = ?", (link_id, file_id))

    def has_path(self, link_id: str, path: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM link_files WHERE link_id = ? AND path = ?", (link_id, path)
        ).one()
        return row is not None

    async def totals(self, link_id: str) -> tuple[int, int]:
        """How many files a link holds and their total size."""
        row = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM link_files WHERE link_id = ?",
            (link_id,),
        ).one()
        assert row is not None  # an aggregate always answers one row
        return int(row[0]), int(row[1])

    async def bytes_of_user(self, user_id: int) -> int:
        """What all of a user's links hold: shares and arrivals count against one quota."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(f.size), 0) FROM link_files f JOIN links l ON l.id = f.link_id"
            " WHERE l.user_id = ?",
            (user_id,),
        ).one()
        assert row is not None  # an aggregate always answers one row
        return int(row[0])
