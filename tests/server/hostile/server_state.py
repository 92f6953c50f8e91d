"""What a user or an operator can observe of a server, taken before and after a request.

A refused request (4xx) must leave the server as it found it: the database rows, the files in
the data directory (the blob store, tus upload parts, keys) and the user's storage listing. The
negative-data fuzz run (test_negative_fuzz.py, through fuzz_hooks.py) takes one snapshot before
each request and one after each refusal and fails on any difference.

What a refusal may legitimately write is named here, each with its reason; nothing else is left
out. The database is read through its own read-only connection, so the check sees what the
server committed, not what it holds in memory.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATABASE_NAME = "syncoxide.sqlite3"
# The database's own files: its rows are compared table by table instead.
DATABASE_FILES = frozenset({DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm"})

# Tables a refusal may write. None today: the rate limits count in memory (server/ratelimit.py)
# and refusals are not written to the event log. Add a table only with the reason beside it.
TABLES_A_REFUSAL_MAY_WRITE: dict[str, str] = {}

# Columns a refusal may write, by table. The check that a request is signed in runs before the
# request is judged, and it records when a token was last used (at most once a minute).
COLUMNS_A_REFUSAL_MAY_WRITE: dict[str, dict[str, str]] = {
    "api_tokens": {"last_used_at": "signing in records the token's use before input is judged"},
}

Row = tuple[Any, ...]
FileMark = tuple[int, int, int]  # size, mtime_ns, inode
Listing = Callable[[], list[dict[str, Any]]]


@dataclass(frozen=True)
class ServerState:
    tables: dict[str, list[Row]]  # every compared table's rows, in rowid or key order
    files: dict[str, FileMark]  # by path inside the data directory
    listing: list[dict[str, Any]]  # the user's storage, as GET /api/v1/storage shows it


class StateReader:
    """Takes ``ServerState`` snapshots of one data directory and one user's storage."""

    def __init__(self, data_dir: Path, listing: Listing) -> None:
        self.data_dir = data_dir
        self.listing = listing
        uri = f"{(data_dir / DATABASE_NAME).as_uri()}?mode=ro"
        self._db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._schema: list[tuple[str, list[str]]] | None = None
        self._version: int | None = None
        self._rows: dict[str, list[Row]] = {}
        self._listed: tuple[tuple[int | None, dict[str, FileMark]], list[dict[str, Any]]] | None
        self._listed = None

    def close(self) -> None:
        self._db.close()

    def take(self) -> ServerState:
        tables, files = self._tables(), self._files()
        # The listing is served from the stored_files rows and the blobs (server/files/store.py
        # keeps no other copy), so it is asked for again whenever either moved. Asking every
        # time doubled the server's work per fuzz case and cut the cases run in the budget.
        if self._listed is None or self._listed[0] != (self._version, files):
            self._listed = (self._version, files), self.listing()
        return ServerState(tables, files, self._listed[1])

    def _tables(self) -> dict[str, list[Row]]:
        # SQLite changes data_version whenever another connection commits, so the rows read
        # last time stand until then; the run's many refusals cost one pragma each.
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        if version != self._version:
            self._rows = {name: self._read(name, columns) for name, columns in self._columns()}
            self._version = version
        return self._rows

    def _read(self, table: str, columns: list[str]) -> list[Row]:
        quoted = ", ".join(f'"{column}"' for column in columns)
        return self._db.execute(f'SELECT {quoted} FROM "{table}"').fetchall()

    def _columns(self) -> list[tuple[str, list[str]]]:
        """The compared columns of each compared table (the schema is read once per connection)."""
        if self._schema is None:
            self._schema = list(self._compared_columns())
        return self._schema

    def _compared_columns(self) -> Iterator[tuple[str, list[str]]]:
        schema = self._db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        for name, sql in schema.fetchall():
            # A virtual table's rows live in its shadow tables, which are compared themselves.
            if name in TABLES_A_REFUSAL_MAY_WRITE or sql.upper().startswith("CREATE VIRTUAL"):
                continue
            allowed = COLUMNS_A_REFUSAL_MAY_WRITE.get(name, {})
            info = self._db.execute(f'PRAGMA table_info("{name}")').fetchall()
            yield name, [column[1] for column in info if column[1] not in allowed]

    def _files(self) -> dict[str, FileMark]:
        found = {}
        for folder, _, names in os.walk(self.data_dir):
            for name in names:
                path = Path(folder, name)
                relative = path.relative_to(self.data_dir).as_posix()
                if relative in DATABASE_FILES:
                    continue
                try:
                    status = path.stat()
                except FileNotFoundError:  # renamed into place while we walked
                    continue
                # The inode too: a file replaced within one clock tick keeps size and time.
                found[relative] = (status.st_size, status.st_mtime_ns, status.st_ino)
        return found


def differences(before: ServerState, after: ServerState, limit: int = 12) -> list[str]:
    """What changed from ``before`` to ``after``, one line each (at most ``limit``)."""
    found = [*_table_changes(before.tables, after.tables), *_file_changes(before, after)]
    if before.listing != after.listing:
        found.append(f"storage listing: {before.listing!r} -> {after.listing!r}")
    if len(found) > limit:
        return [*found[:limit], f"... and {len(found) - limit} more"]
    return found


def _table_changes(before: dict[str, list[Row]], after: dict[str, list[Row]]) -> Iterator[str]:
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name, []), after.get(name, [])
        if old == new:
            continue
        removed = [row for row in old if row not in new]
        added = [row for row in new if row not in old]
        for row in removed:
            yield f"table {name}: row removed or changed from {_short(row)}"
        for row in added:
            yield f"table {name}: row added or changed to {_short(row)}"
        if not removed and not added:
            yield f"table {name}: rows reordered or duplicated"


def _file_changes(before: ServerState, after: ServerState) -> Iterator[str]:
    for path in sorted(before.files.keys() | after.files.keys()):
        old, new = before.files.get(path), after.files.get(path)
        if old == new:
            continue
        if old is None:
            yield f"file {path}: created ({new[0] if new else 0} bytes)"
        elif new is None:
            yield f"file {path}: removed"
        else:
            yield f"file {path}: rewritten ({old[0]} -> {new[0]} bytes)"


def _short(row: Row, width: int = 200) -> str:
    text = repr(row)
    return text if len(text) <= width else text[:width] + "...)"
