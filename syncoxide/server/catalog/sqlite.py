"""The catalog's words on SQLite: a contentless FTS5 table (server/catalog/schema.py).

The table keeps no text of its own, so the store writes an entry's words when the entry is
first written, and removes them with FTS5's ``'delete'`` command and the old name and folder
when the entry goes or moves. Every other query is the shared one (server/catalog/sql_store.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from syncoxide.catalog.model import CatalogEntry
from syncoxide.catalog.search import SearchQuery
from syncoxide.server.catalog.name_runs import add_name_words, remove_name_words
from syncoxide.server.catalog.rows import E_COLUMNS, ENTRY_COLUMNS, entry_of, split_path
from syncoxide.server.catalog.sql_store import MovedRow, RemovedRow, SqlCatalogStore
from syncoxide.server.storage.database import Reads, SqliteDatabase

#: Address space the catalog's connections map its database file into. A search reads one
#: row of ``catalog_entries`` per match to rank it (thousands for a common word), each row
#: on its own page; mapped, a page is read where it lies instead of copied by a ``pread``
#: into SQLite's small page cache. bench/catalog_search.py at 100,000 files, interleaved on
#: one machine: median 5.6 -> 3.3 ms, p95 7.7 -> 5.0 ms; a larger ``cache_size`` alone
#: changed nothing. Only address space: the OS page cache holds the bytes either way.
SEARCH_MMAP_BYTES = 256 * 1024 * 1024

_UPSERT = (
    "INSERT INTO catalog_entries (user_id, source, path, parent, name, kind, size, mtime_ns,"
    " content_hash, mime, owner, shared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (user_id, source, path) DO UPDATE SET kind = excluded.kind,"
    " size = excluded.size, mtime_ns = excluded.mtime_ns, content_hash = excluded.content_hash,"
    " mime = excluded.mime, owner = excluded.owner, shared = excluded.shared"
)
_ADD_WORDS = "INSERT INTO catalog_words (rowid, scope, name, folder) VALUES (?, ?, ?, ?)"
_DELETE_WORDS = (
    "INSERT INTO catalog_words (catalog_words, rowid, scope, name, folder)"
    " VALUES ('delete', ?, ?, ?, ?)"
)


class SqliteCatalogStore(SqlCatalogStore):
    def __init__(self, database: SqliteDatabase) -> None:
        # first: the reading connections, made by the base class, map the file as this one
        database.execute(f"PRAGMA mmap_size = {SEARCH_MMAP_BYTES}")
        super().__init__(database)

    def _upsert_many(self, user_id: int, entries: Sequence[CatalogEntry]) -> None:
        """One ``executemany`` of upserts, then the words of the rows it added: they are the
        rows past the largest id before it, since the write transaction keeps every other
        writer out and SQLite gives a new row an id above the largest. A path's name and
        folder never change while it keeps its row, so an updated row keeps its words."""
        before = self._db.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_entries").rows
        self._db.execute_many(_UPSERT, [_entry_row(user_id, entry) for entry in entries])
        added = self._db.execute(  # by the id range alone: all of them are this user's
            "SELECT id, name, parent, path, source FROM catalog_entries WHERE id > ?",
            (before[0][0],),
        ).rows
        scope = _scope(user_id)
        self._db.execute_many(_ADD_WORDS, [(row_id, scope, n, p) for row_id, n, p, *_ in added])
        if self.name_runs:
            add_name_words(self._db, user_id, [(i, n, path, s) for i, n, _, path, s in added])

    def _restat(self, db: Reads) -> None:
        """Nothing: a word search starts from the FTS5 table whatever the statistics; the
        first searches seconds after a first index were as fast as later ones
        (bench/catalog_search_load.py)."""

    def _words_removed(self, user_id: int, removed: Sequence[RemovedRow]) -> None:
        scope = _scope(user_id)
        self._db.execute_many(_DELETE_WORDS, [(r.row_id, scope, r.name, r.parent) for r in removed])
        if self.name_runs:
            remove_name_words(self._db, user_id, [row.named for row in removed])

    def _rewrite_moved(self, user_id: int, moved: Sequence[MovedRow]) -> None:
        self._words_removed(user_id, [row.before for row in moved])
        self._db.execute_many(
            "UPDATE catalog_entries SET path = ?, parent = ?, name = ? WHERE id = ?",
            [(row.path, row.parent, row.name, row.row_id) for row in moved],
        )
        scope = _scope(user_id)
        self._db.execute_many(
            _ADD_WORDS, [(row.row_id, scope, row.name, row.parent) for row in moved]
        )
        if self.name_runs:  # the old runs went with the old words, just above
            add_name_words(self._db, user_id, [row.named for row in moved])

    def _word_search(
        self,
        db: Reads,
        user_id: int,
        query: SearchQuery,
        filters: tuple[str, list[Any]],
        *,
        limit: int,
        names_found: bool = False,
    ) -> list[CatalogEntry]:
        """Ranked in two tiers rather than by bm25: a common word matches thousands of names
        and folders, and bm25 reads every match's column sizes to sort them
        (bench/catalog_search.py at 100,000 files: 84.9 ms median with bm25, 34 ms with these
        tiers; docs/catalog.md)."""
        where, params = filters
        words, scope = query.fts_match(), f'scope:"{_scope(user_id)}"'
        found: list[CatalogEntry] = []
        tiers = (f"{scope} AND name : ({words})", f"{scope} AND ({words}) NOT name : ({words})")
        for tier in tiers[1:] if names_found else tiers:
            sql = (
                f"SELECT {E_COLUMNS} FROM catalog_words w JOIN catalog_entries e"  # noqa: S608
                f" ON e.id = w.rowid WHERE catalog_words MATCH ? AND e.user_id = ?{where}"
                " ORDER BY length(e.name), e.path, e.source LIMIT ?"
            )
            found += _in_one_step(db, sql, (tier, user_id, *params, limit - len(found)))
            if len(found) >= limit:
                break
        return found

    def _ranked_rows(self, db: Reads, sql: str, params: Sequence[Any]) -> list[CatalogEntry]:
        return _in_one_step(db, sql, tuple(params))


def _in_one_step(db: Reads, sql: str, params: tuple[Any, ...]) -> list[CatalogEntry]:
    """The entries ``sql`` selects (``E_COLUMNS``, in order), packed by SQLite into one JSON
    row. sqlite3 lets go of the GIL around each row it steps, and on a worker thread each
    row then waits for the GIL again: up to ``sys.getswitchinterval()`` (5 ms) while the
    event loop's thread is busy, for each of up to 100 rows. One row waits once."""
    packed = f"SELECT json_group_array(json_array({ENTRY_COLUMNS})) FROM ({sql})"  # noqa: S608
    rows = db.execute(packed, params).rows
    return [entry_of(row) for row in json.loads(rows[0][0])]


def _entry_row(user_id: int, entry: CatalogEntry) -> tuple[object, ...]:
    parent, name = split_path(entry.path)
    return (user_id, entry.source, entry.path, parent, name, entry.kind, entry.size,
            entry.mtime_ns, entry.content_hash, entry.mime, entry.owner,
            int(entry.shared))  # fmt: skip


def _scope(user_id: int) -> str:
    """The user's mark in the FTS table: one user's search never walks another's words."""
    return f"u{user_id}"
