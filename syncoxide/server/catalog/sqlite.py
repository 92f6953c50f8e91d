"""The catalog in the server's SQLite database: entries, their words (FTS5), stars, activity.

Each method is a few statements with no ``await`` between them, so on the event loop each runs
as one step. Batches (a refresh's changes) run in one transaction: 100,000 new entries are
one commit, not 100,000.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import FILE, CatalogEntry, Fingerprint
from syncoxide.catalog.port import (
    AGE_BANDS,
    OLDER,
    Activity,
    AgeRow,
    RecentFile,
    SourceState,
    UsageRow,
)
from syncoxide.catalog.search import SearchQuery
from syncoxide.server.catalog.rows import (
    E_COLUMNS,
    ENTRY_COLUMNS,
    below,
    entry_of,
    grouped_usage,
    split_path,
)
from syncoxide.server.catalog.sql_filters import query_filters

#: Address space the catalog's connection maps its database file into. A search reads one
#: row of ``catalog_entries`` per match to rank it (thousands for a common word), each row
#: on its own page; mapped, a page is read where it lies instead of copied by a ``pread``
#: into SQLite's small page cache. bench/catalog_search.py at 100,000 files, interleaved on
#: one machine: median 5.6 -> 3.3 ms, p95 7.7 -> 5.0 ms; a larger ``cache_size`` alone
#: changed nothing. Only address space: the OS page cache holds the bytes either way.
SEARCH_MMAP_BYTES = 256 * 1024 * 1024


class SqliteCatalogStore:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        connection.execute(f"PRAGMA mmap_size = {SEARCH_MMAP_BYTES}")

    # -- the index ---------------------------------------------------------------------

    async def fingerprints(
        self, user_id: int, source: str, under: str = ""
    ) -> dict[str, Fingerprint]:
        sql = (
            "SELECT path, kind, size, mtime_ns, content_hash FROM catalog_entries"
            " WHERE user_id = ? AND source = ?"
        )
        params: tuple[Any, ...] = (user_id, source)
        if under:
            sql += " AND (path = ? OR (path >= ? AND path < ?))"
            params += (under, *below(under))
        rows = self._db.execute(sql, params)
        return {row[0]: Fingerprint(*row[1:]) for row in rows}

    async def apply(self, user_id: int, source: str, changes: IndexChanges) -> None:
        with self._transaction():
            for path in changes.removals:
                self._remove_rows(user_id, source, "path = ?", (path,))
            for entry in changes.upserts:
                self._upsert(user_id, entry)

    def _upsert(self, user_id: int, entry: CatalogEntry) -> None:
        values = (
            entry.kind,
            entry.size,
            entry.mtime_ns,
            entry.content_hash,
            entry.mime,
            entry.owner,
            int(entry.shared),
        )
        updated = self._db.execute(
            "UPDATE catalog_entries SET kind = ?, size = ?, mtime_ns = ?, content_hash = ?,"
            " mime = ?, owner = ?, shared = ? WHERE user_id = ? AND source = ? AND path = ?",
            (*values, user_id, entry.source, entry.path),
        )
        if updated.rowcount:
            return
        parent, name = split_path(entry.path)
        cursor = self._db.execute(
            "INSERT INTO catalog_entries (user_id, source, path, parent, name, kind, size,"
            " mtime_ns, content_hash, mime, owner, shared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?)",
            (user_id, entry.source, entry.path, parent, name, *values),
        )
        self._add_words(int(cursor.lastrowid or 0), user_id, name, parent)

    def _add_words(self, row_id: int, user_id: int, name: str, folder: str) -> None:
        self._db.execute(
            "INSERT INTO catalog_words (rowid, scope, name, folder) VALUES (?, ?, ?, ?)",
            (row_id, f"u{user_id}", name, folder),
        )

    def _remove_rows(self, user_id: int, source: str, where: str, params: tuple[Any, ...]) -> None:
        removed = self._db.execute(
            f"DELETE FROM catalog_entries WHERE user_id = ? AND source = ? AND {where}"  # noqa: S608
            " RETURNING id, name, parent",
            (user_id, source, *params),
        ).fetchall()
        self._db.executemany(
            "INSERT INTO catalog_words (catalog_words, rowid, scope, name, folder)"
            " VALUES ('delete', ?, ?, ?, ?)",
            [(row_id, f"u{user_id}", name, parent) for row_id, name, parent in removed],
        )

    async def move_subtree(self, user_id: int, source: str, old: str, new: str) -> None:
        """Carry ``old`` and what is under it (entries, stars, activity) to ``new``. A move
        replaces what was there: entries and stars the index still holds at ``new`` (a file
        moved over another, or a change indexed before this one was applied) go first."""
        if new == old:
            return
        low, high = below(old)
        new_low, new_high = below(new)
        with self._transaction():
            under_new = "(path = ? OR (path >= ? AND path < ?))"
            self._remove_rows(user_id, source, under_new, (new, new_low, new_high))
            self._db.execute(
                f"DELETE FROM catalog_stars WHERE user_id = ? AND source = ? AND {under_new}",  # noqa: S608
                (user_id, source, new, new_low, new_high),
            )
            rows = self._db.execute(
                "SELECT id, path, name, parent FROM catalog_entries WHERE user_id = ?"
                " AND source = ? AND (path = ? OR (path >= ? AND path < ?))",
                (user_id, source, old, low, high),
            ).fetchall()
            scope = f"u{user_id}"
            for row_id, path, name, parent in rows:
                moved = new + path[len(old) :]
                new_parent, new_name = split_path(moved)
                self._db.execute(
                    "INSERT INTO catalog_words (catalog_words, rowid, scope, name, folder)"
                    " VALUES ('delete', ?, ?, ?, ?)",
                    (row_id, scope, name, parent),
                )
                self._db.execute(
                    "UPDATE catalog_entries SET path = ?, parent = ?, name = ? WHERE id = ?",
                    (moved, new_parent, new_name, row_id),
                )
                self._add_words(row_id, user_id, new_name, new_parent)
            for table in ("catalog_stars", "catalog_activity"):
                self._db.execute(
                    f"UPDATE {table} SET path = ? || substr(path, ?) WHERE user_id = ?"  # noqa: S608
                    " AND source = ? AND (path = ? OR (path >= ? AND path < ?))",
                    (new, len(old) + 1, user_id, source, old, low, high),
                )

    async def remove_subtree(self, user_id: int, source: str, path: str) -> None:
        low, high = below(path)
        with self._transaction():
            self._remove_rows(
                user_id, source, "(path = ? OR (path >= ? AND path < ?))", (path, low, high)
            )

    async def drop_source(self, user_id: int, source: str) -> None:
        with self._transaction():
            self._remove_rows(user_id, source, "1 = 1", ())
            self._db.execute(
                "DELETE FROM catalog_sources WHERE user_id = ? AND source = ?", (user_id, source)
            )

    async def source_state(self, user_id: int, source: str) -> SourceState | None:
        row = self._db.execute(
            "SELECT source, feed_position, refreshed_at FROM catalog_sources"
            " WHERE user_id = ? AND source = ?",
            (user_id, source),
        ).fetchone()
        return SourceState(*row) if row else None

    async def save_source_state(self, user_id: int, state: SourceState) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO catalog_sources (user_id, source, feed_position,"
            " refreshed_at) VALUES (?, ?, ?, ?)",
            (user_id, state.source, state.feed_position, state.refreshed_at),
        )

    async def sources(self, user_id: int) -> Sequence[SourceState]:
        rows = self._db.execute(
            "SELECT source, feed_position, refreshed_at FROM catalog_sources WHERE user_id = ?"
            " ORDER BY source",
            (user_id,),
        )
        return [SourceState(*row) for row in rows]

    async def entry(self, user_id: int, source: str, path: str) -> CatalogEntry | None:
        row = self._db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM catalog_entries"  # noqa: S608
            " WHERE user_id = ? AND source = ? AND path = ?",
            (user_id, source, path),
        ).fetchone()
        return entry_of(row) if row else None

    async def entry_by_id(self, user_id: int, entry_id: int) -> CatalogEntry | None:
        row = self._db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM catalog_entries WHERE user_id = ? AND id = ?",  # noqa: S608
            (user_id, entry_id),
        ).fetchone()
        return entry_of(row) if row else None

    async def children(
        self, user_id: int, source: str, folder: str, *, after: str, limit: int
    ) -> Sequence[CatalogEntry]:
        rows = self._db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM catalog_entries WHERE user_id = ? AND source = ?"  # noqa: S608
            " AND parent = ? AND path > ? ORDER BY path LIMIT ?",
            (user_id, source, folder, after, limit),
        )
        return [entry_of(row) for row in rows]

    async def search(self, user_id: int, query: SearchQuery, limit: int) -> Sequence[CatalogEntry]:
        where, params = query_filters(query)
        if not query.has_text:
            sql = (
                f"SELECT {E_COLUMNS} FROM catalog_entries e WHERE e.user_id = ?{where}"  # noqa: S608
                " ORDER BY e.mtime_ns DESC, e.path LIMIT ?"
            )
            return [entry_of(r) for r in self._db.execute(sql, (user_id, *params, limit))]
        # Ranked in two tiers rather than by bm25: a common word matches thousands of names
        # and folders, and bm25 reads every match's column sizes to sort them
        # (bench/catalog_search.py at 100,000 files: 84.9 ms median with bm25, 34 ms with these
        # tiers; docs/catalog.md).
        # Files whose name holds every word come first, the shortest names (closest matches)
        # first; then files matched through their folders' names.
        words, scope = query.fts_match(), f'scope:"u{user_id}"'
        found: list[CatalogEntry] = []
        for tier in (
            f"{scope} AND name : ({words})",
            f"{scope} AND ({words}) NOT name : ({words})",
        ):
            sql = (
                f"SELECT {E_COLUMNS} FROM catalog_words w JOIN catalog_entries e"  # noqa: S608
                f" ON e.id = w.rowid WHERE catalog_words MATCH ? AND e.user_id = ?{where}"
                " ORDER BY length(e.name), e.path LIMIT ?"
            )
            rows = self._db.execute(sql, (tier, user_id, *params, limit - len(found)))
            found += [entry_of(r) for r in rows]
            if len(found) >= limit:
                break
        return found

    # -- stars and activity ------------------------------------------------------------

    async def set_star(
        self, user_id: int, source: str, path: str, *, starred: bool, now: int
    ) -> None:
        if starred:
            self._db.execute(
                "INSERT OR IGNORE INTO catalog_stars (user_id, source, path, starred_at)"
                " VALUES (?, ?, ?, ?)",
                (user_id, source, path, now),
            )
        else:
            self._db.execute(
                "DELETE FROM catalog_stars WHERE user_id = ? AND source = ? AND path = ?",
                (user_id, source, path),
            )

    async def starred(self, user_id: int, limit: int) -> Sequence[CatalogEntry]:
        rows = self._db.execute(
            f"SELECT {E_COLUMNS} FROM catalog_stars s JOIN catalog_entries e"  # noqa: S608
            " ON e.user_id = s.user_id AND e.source = s.source AND e.path = s.path"
            " WHERE s.user_id = ? ORDER BY s.starred_at DESC, e.path LIMIT ?",
            (user_id, limit),
        )
        return [entry_of(row) for row in rows]

    async def is_starred(self, user_id: int, source: str, path: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM catalog_stars WHERE user_id = ? AND source = ? AND path = ?",
            (user_id, source, path),
        ).fetchone()
        return row is not None

    async def record(self, user_id: int, activity: Activity) -> None:
        self._db.execute(
            "INSERT INTO catalog_activity (user_id, source, path, action, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (user_id, activity.source, activity.path, activity.action, activity.at),
        )

    async def recent(self, user_id: int, limit: int) -> Sequence[RecentFile]:
        """Each file once, at its latest action, newest first; files gone since are left out."""
        rows = self._db.execute(
            f"SELECT {E_COLUMNS}, a.action, a.at FROM catalog_activity a"  # noqa: S608
            " JOIN catalog_entries e ON e.user_id = a.user_id AND e.source = a.source"
            " AND e.path = a.path WHERE a.user_id = ? AND e.kind = ? AND a.id = ("
            " SELECT MAX(b.id) FROM catalog_activity b WHERE b.user_id = a.user_id"
            " AND b.source = a.source AND b.path = a.path)"
            " ORDER BY a.at DESC, a.id DESC LIMIT ?",
            (user_id, FILE, limit),
        )
        return [RecentFile(entry_of(row), row[10], row[11]) for row in rows]

    # -- analytics ---------------------------------------------------------------------

    async def usage(self, user_id: int) -> Sequence[UsageRow]:
        rows = self._db.execute(
            "SELECT source, mime, COUNT(*), SUM(size) FROM catalog_entries"
            " WHERE user_id = ? AND kind = ? GROUP BY source, mime",
            (user_id, FILE),
        )
        return grouped_usage(rows)

    async def usage_by_age(self, user_id: int, now: int) -> Sequence[AgeRow]:
        bands = [*(label for label, _ in AGE_BANDS), OLDER]
        cases = " ".join(f"WHEN mtime_ns >= ? THEN {i}" for i in range(len(AGE_BANDS)))
        since = [(now - seconds) * 10**9 for _, seconds in AGE_BANDS]
        rows = self._db.execute(
            f"SELECT CASE {cases} ELSE {len(AGE_BANDS)} END AS band, COUNT(*), SUM(size)"  # noqa: S608
            " FROM catalog_entries WHERE user_id = ? AND kind = ? GROUP BY band",
            (*since, user_id, FILE),
        )
        found = {band: (files, size or 0) for band, files, size in rows}
        return [AgeRow(label, *found.get(i, (0, 0))) for i, label in enumerate(bands)]

    async def largest(self, user_id: int, limit: int) -> Sequence[CatalogEntry]:
        rows = self._db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM catalog_entries WHERE user_id = ? AND kind = ?"  # noqa: S608
            " ORDER BY size DESC, path LIMIT ?",
            (user_id, FILE, limit),
        )
        return [entry_of(row) for row in rows]

    async def duplicates(self, user_id: int, limit: int) -> Sequence[Sequence[CatalogEntry]]:
        hashes = self._db.execute(
            "SELECT content_hash FROM catalog_entries WHERE user_id = ? AND kind = ?"
            " AND content_hash != '' AND size > 0 GROUP BY content_hash HAVING COUNT(*) > 1"
            " ORDER BY (COUNT(*) - 1) * MAX(size) DESC, content_hash LIMIT ?",
            (user_id, FILE, limit),
        ).fetchall()
        groups = []
        for (content_hash,) in hashes:
            rows = self._db.execute(
                f"SELECT {ENTRY_COLUMNS} FROM catalog_entries"  # noqa: S608
                " WHERE user_id = ? AND content_hash = ? ORDER BY source, path",
                (user_id, content_hash),
            )
            groups.append([entry_of(row) for row in rows])
        return groups

    async def same_name_and_size(
        self, user_id: int, limit: int
    ) -> Sequence[Sequence[CatalogEntry]]:
        """Groups of two or more files with one name and size, biggest waste first (whether
        each is a duplicate is decided by ``syncoxide.catalog.duplicates``)."""
        keys = self._db.execute(
            "SELECT name, size FROM catalog_entries WHERE user_id = ? AND kind = ? AND size > 0"
            " GROUP BY name, size HAVING COUNT(*) > 1"
            " ORDER BY (COUNT(*) - 1) * size DESC, name LIMIT ?",
            (user_id, FILE, limit),
        ).fetchall()
        return [
            [
                entry_of(row)
                for row in self._db.execute(
                    f"SELECT {ENTRY_COLUMNS} FROM catalog_entries"  # noqa: S608
                    " WHERE user_id = ? AND kind = ? AND name = ? AND size = ?"
                    " ORDER BY source, path",
                    (user_id, FILE, name, size),
                )
            ]
            for name, size in keys
        ]

    # -- plumbing ----------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN")

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._db.execute("ROLLBACK" if error is not None else "COMMIT")
