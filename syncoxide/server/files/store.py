"""Each user's own files in the server's database (SQLite migration 9).

One row per folder or file, keyed by (user, path); a file's bytes are a blob whose key the row
names. The row is the commit point: a file exists under its name exactly when its row does,
so a blob written for an upload that never finished is never visible. Every method is a few
statements with no ``await`` between them, so on the event loop each runs as one step and two
requests cannot interleave inside it; those that write more than one row run in one
transaction (storage/database.py), which on PostgreSQL also keeps other instances out.

Paths are relative and ``/``-separated; ``""`` is the root, which has no row. Everything under
a folder ``f`` sorts between ``f/`` and ``f0`` (``'0'`` follows ``'/'``), which makes subtree
queries and renames plain range scans (PostgreSQL keeps paths in the "C" collation for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from syncoxide.errors import AlreadyExistsError, DirectoryNotEmptyError, NotFoundError
from syncoxide.server.files.commits import UploadCommit, UploadCommits
from syncoxide.server.storage.database import Database, sqlite_at

FILE, DIR = "file", "dir"


@dataclass(frozen=True)
class StoredEntry:
    path: str
    kind: str  # FILE or DIR
    size: int = 0
    mtime_ns: int = 0
    sha1: str = ""
    sha256: str = ""
    blob_key: str = ""


_COLUMNS = ", ".join(f.name for f in fields(StoredEntry))
_REPLACE = ", ".join(f"{f.name} = excluded.{f.name}" for f in fields(StoredEntry)[1:])


def _entry(row: Any) -> StoredEntry:
    return StoredEntry(*row)


def _sizes(entry: StoredEntry) -> tuple[int, int, str, str]:
    return entry.size, entry.mtime_ns, entry.sha1, entry.sha256


def parents_of(path: str) -> list[str]:
    """``a``, ``a/b`` for ``a/b/c``: the folders that must exist for ``path`` to."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _below(folder: str) -> tuple[str, tuple[str, ...]]:
    """SQL for the paths strictly inside ``folder`` ("" for everything) and its parameters:
    the half-open range [``folder/``, ``folder0``), which the primary key index answers."""
    if not folder:
        return "path >= ?", ("",)
    return "path >= ? AND path < ?", (folder + "/", folder + "0")


class FileStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        #: The handle the rows are written on: a change's position is taken on it too, in the
        #: change's own transaction (files/change_positions.py).
        self.database = database
        #: Uploads committed lately, so a commit sent again answers as the first did.
        self.commits = UploadCommits(database)

    @classmethod
    def open(cls, path: Path) -> FileStore:
        return cls(sqlite_at(path))

    def get(self, user_id: int, path: str) -> StoredEntry | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM stored_files WHERE user_id = ? AND path = ?",  # noqa: S608
            (user_id, path),
        ).one()
        return None if row is None else _entry(row)

    def listing(
        self, user_id: int, folder: str, *, after: str, limit: int, recursive: bool
    ) -> list[StoredEntry]:
        """Entries inside ``folder`` sorted by path, those after ``after``, at most ``limit``."""
        inside, bounds = _below(folder)
        sql = f"SELECT {_COLUMNS} FROM stored_files WHERE user_id = ? AND {inside} AND path > ?"  # noqa: S608
        params: list[Any] = [user_id, *bounds, after]
        if not recursive:  # no "/" after the folder's own prefix: a direct child
            sql += " AND substr(path, ?) NOT LIKE '%/%'"
            params.append(len(bounds[0]) + 1)
        rows = self._db.execute(sql + " ORDER BY path LIMIT ?", (*params, limit)).rows
        return [_entry(row) for row in rows]

    def has_children(self, user_id: int, folder: str) -> bool:
        inside, bounds = _below(folder)
        row = self._db.execute(
            f"SELECT 1 FROM stored_files WHERE user_id = ? AND {inside} LIMIT 1",  # noqa: S608
            (user_id, *bounds),
        ).one()
        return row is not None

    def make_folders(self, user_id: int, folders: Sequence[str]) -> None:
        """Create each folder that is missing; ``AlreadyExistsError`` if a file is in the way."""
        for folder in folders:
            found = self.get(user_id, folder)
            if found is not None and found.kind != DIR:
                raise AlreadyExistsError(f"{folder!r} is a file, not a folder.")
            if found is None:
                self._db.execute(
                    "INSERT INTO stored_files (user_id, path, kind) VALUES (?, ?, ?)",
                    (user_id, folder, DIR),
                )

    def put_file(
        self, user_id: int, entry: StoredEntry, *, upload_id: str | None = None, now: int = 0
    ) -> str | None:
        """Create or replace the file (parents made); returns the replaced file's blob key.

        ``upload_id`` names the upload the file was committed from: the commit is recorded
        (at ``now``) in the same transaction, and a second commit of that upload raises
        ``DuplicateError`` with nothing written."""
        found = self.get(user_id, entry.path)
        if found is not None and found.kind == DIR:
            raise AlreadyExistsError(f"{entry.path!r} is a folder; a file cannot replace it.")
        with self._db.transaction():
            self.make_folders(user_id, parents_of(entry.path))
            self._db.execute(
                f"INSERT INTO stored_files (user_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
                f" ON CONFLICT (user_id, path) DO UPDATE SET {_REPLACE}",
                (user_id, *(getattr(entry, f.name) for f in fields(StoredEntry))),
            )
            if upload_id is not None:
                commit = UploadCommit(upload_id, entry.path, *_sizes(entry))
                self.commits.record(user_id, commit, now)
        return found.blob_key if found is not None else None

    def set_mtime(self, user_id: int, path: str, mtime_ns: int) -> None:
        self._db.execute(
            "UPDATE stored_files SET mtime_ns = ? WHERE user_id = ? AND path = ?",
            (mtime_ns, user_id, path),
        )

    def remove(self, user_id: int, path: str, recursive: bool) -> list[str]:
        """Remove an entry (and, when ``recursive``, what is inside); returns freed blob keys."""
        found = self.get(user_id, path)
        if found is None:
            raise NotFoundError(f"{path!r} does not exist.")
        if found.kind == FILE:
            self._db.execute(
                "DELETE FROM stored_files WHERE user_id = ? AND path = ?", (user_id, path)
            )
            return [found.blob_key]
        if not recursive and self.has_children(user_id, path):
            raise DirectoryNotEmptyError(f"The folder {path!r} is not empty.")
        inside, bounds = _below(path)
        where = f"user_id = ? AND (path = ? OR ({inside}))"
        params = (user_id, path, *bounds)
        with self._db.transaction():
            keys = self._db.execute(
                f"SELECT blob_key FROM stored_files WHERE {where} AND kind = ?",  # noqa: S608
                (*params, FILE),
            ).rows
            self._db.execute(f"DELETE FROM stored_files WHERE {where}", params)  # noqa: S608
        return [str(row[0]) for row in keys]

    def move(self, user_id: int, source: str, target: str) -> None:
        """Rename a file or a whole folder; never over an existing entry."""
        found = self.get(user_id, source)
        if found is None:
            raise NotFoundError(f"{source!r} does not exist.")
        if self.get(user_id, target) is not None:
            raise AlreadyExistsError(f"{target!r} exists already; a move never overwrites.")
        if target.startswith(source + "/"):
            raise AlreadyExistsError(f"{source!r} cannot move inside itself.")
        inside, bounds = _below(source)
        with self._db.transaction():
            self.make_folders(user_id, parents_of(target))
            self._db.execute(
                "UPDATE stored_files SET path = ? || substr(path, ?) WHERE user_id = ?"  # noqa: S608
                f" AND (path = ? OR ({inside}))",
                (target, len(source) + 1, user_id, source, *bounds),
            )

    def bytes_of_user(self, user_id: int) -> int:
        row = self._db.execute(
            "SELECT COALESCE(SUM(size), 0) FROM stored_files WHERE user_id = ?", (user_id,)
        ).one()
        assert row is not None  # an aggregate always answers one row
        return int(row[0])
