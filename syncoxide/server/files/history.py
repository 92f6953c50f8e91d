"""Old versions and the trash of each user's own files (migration 13).

One table holds both: a *version* is a file's previous content, kept when it was overwritten;
a *trash* row is a file or folder that was deleted. A folder deleted with everything inside is
one *batch* (its rows share the batch number, the folder's own row id), restored as a whole.
Rows keep the blob the file had, so restoring moves no bytes: the row's blob becomes the live
file's again. Like ``FileStore``, every method is a few statements with no ``await``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from syncoxide.server.files.store import FILE, StoredEntry
from syncoxide.server.storage.database import Database

VERSION, TRASH = "version", "trash"

HISTORY_MIGRATION = """
CREATE TABLE file_history (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha1 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    kept_at INTEGER NOT NULL,
    batch INTEGER NOT NULL DEFAULT 0,
    keep_forever INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX file_history_by_path ON file_history (user_id, state, path);
CREATE INDEX file_history_by_batch ON file_history (user_id, batch)
"""

_COLUMNS = (
    "id, state, kept_at, batch, keep_forever, path, kind, size, mtime_ns, sha1, sha256, blob_key"
)


@dataclass(frozen=True)
class HistoryItem:
    id: int
    state: str
    kept_at: int
    batch: int
    keep_forever: bool
    entry: StoredEntry


def _item(row: Any) -> HistoryItem:
    return HistoryItem(row[0], row[1], row[2], row[3], bool(row[4]), StoredEntry(*row[5:]))


class HistoryStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def _insert(self, user_id: int, state: str, entry: StoredEntry, *, now: int, batch: int) -> int:
        return self._db.insert(
            "INSERT INTO file_history (user_id, state, path, kind, size, mtime_ns, sha1, sha256,"
            " blob_key, kept_at, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, state, entry.path, entry.kind, entry.size, entry.mtime_ns, entry.sha1,
             entry.sha256, entry.blob_key, now, batch),
        )  # fmt: skip

    def keep_version(self, user_id: int, entry: StoredEntry, now: int) -> int:
        return self._insert(user_id, VERSION, entry, now=now, batch=0)

    def trash(self, user_id: int, entries: Sequence[StoredEntry], now: int) -> int:
        """Trash a deleted entry (first) and what was inside it, as one batch; its id."""
        with self._db.transaction():
            batch = self._insert(user_id, TRASH, entries[0], now=now, batch=0)
            self._db.execute("UPDATE file_history SET batch = ? WHERE id = ?", (batch, batch))
            for entry in entries[1:]:
                self._insert(user_id, TRASH, entry, now=now, batch=batch)
        return batch

    def get(self, user_id: int, item_id: int) -> HistoryItem | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM file_history WHERE user_id = ? AND id = ?",  # noqa: S608
            (user_id, item_id),
        ).one()
        return _item(row) if row else None

    def versions(self, user_id: int, path: str) -> list[HistoryItem]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM file_history WHERE user_id = ? AND state = ?"  # noqa: S608
            " AND path = ? ORDER BY kept_at DESC, id DESC",
            (user_id, VERSION, path),
        )
        return [_item(row) for row in rows]

    def trashed(self, user_id: int) -> list[HistoryItem]:
        """What the user deleted (a folder once, not each file inside), newest first."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM file_history WHERE user_id = ? AND state = ?"  # noqa: S608
            " AND batch = id ORDER BY kept_at DESC, id DESC",
            (user_id, TRASH),
        )
        return [_item(row) for row in rows]

    def batch(self, user_id: int, batch: int) -> list[HistoryItem]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM file_history WHERE user_id = ? AND state = ?"  # noqa: S608
            " AND batch = ? ORDER BY path",
            (user_id, TRASH, batch),
        )
        return [_item(row) for row in rows]

    def users_with_history(self) -> list[int]:
        """Every user holding at least one version or trashed item (what a sweep visits)."""
        rows = self._db.execute("SELECT DISTINCT user_id FROM file_history ORDER BY user_id")
        return [int(row[0]) for row in rows]

    def all_of(self, user_id: int) -> list[HistoryItem]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM file_history WHERE user_id = ?",  # noqa: S608
            (user_id,),
        )
        return [_item(row) for row in rows]

    def forget(self, user_id: int, item_ids: Sequence[int]) -> None:
        """Drop rows (after a restore took their blobs, or retention freed them)."""
        self._db.execute_many(
            "DELETE FROM file_history WHERE user_id = ? AND id = ?",
            [(user_id, item_id) for item_id in item_ids],
        )

    def set_keep_forever(self, user_id: int, item_id: int, keep: bool) -> bool:
        cursor = self._db.execute(
            "UPDATE file_history SET keep_forever = ? WHERE user_id = ? AND id = ?",
            (keep, user_id, item_id),
        )
        return cursor.rowcount == 1

    def bytes_of_user(self, user_id: int) -> int:
        row = self._db.execute(
            "SELECT COALESCE(SUM(size), 0) FROM file_history WHERE user_id = ? AND kind = ?",
            (user_id, FILE),
        ).one()
        assert row is not None  # an aggregate always answers one row
        return int(row[0])
