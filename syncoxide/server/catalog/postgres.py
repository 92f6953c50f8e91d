"""The catalog on PostgreSQL: the same port and answers as ``SqliteCatalogStore``.

An entry's words are a ``tsvector`` column of its own row (server/catalog/pg_words.py says how
they are split, as SQLite's FTS5 splits them), under a GIN index, rewritten with the row: no
second table to keep in step. A search ranks in the same two tiers as on SQLite: files whose
name holds every word, shortest names first, then files matched through their folders.

Calls go through the shared database handle (storage/database.py), one statement or one
transaction per step, as every other PostgreSQL store does.
"""

from __future__ import annotations

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
from syncoxide.server.catalog.pg_words import ANY, NAME, entry_vector, text_query
from syncoxide.server.catalog.rows import (
    E_COLUMNS,
    ENTRY_COLUMNS,
    below,
    entry_of,
    grouped_usage,
    split_path,
)
from syncoxide.server.catalog.sql_filters import query_filters
from syncoxide.server.catalog.sqlite import SqliteCatalogStore
from syncoxide.server.storage.database import Database, SqliteDatabase

_UNDER = "(path = ? OR (path >= ? AND path < ?))"


class PostgresCatalogStore:
    def __init__(self, database: Database) -> None:
        self._db = database

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
            sql += f" AND {_UNDER}"
            params += (under, *below(under))
        rows = self._db.execute(sql, params)
        return {row[0]: Fingerprint(*row[1:]) for row in rows}

    async def apply(self, user_id: int, source: str, changes: IndexChanges) -> None:
        with self._db.transaction(write=True):
            for path in changes.removals:
                self._remove_rows(user_id, source, "path = ?", (path,))
            for entry in changes.upserts:
                self._upsert(user_id, entry)

    def _upsert(self, user_id: int, entry: CatalogEntry) -> None:
        parent, name = split_path(entry.path)
        self._db.execute(
            "INSERT INTO catalog_entries (user_id, source, path, parent, name, kind, size,"
            " mtime_ns, content_hash, mime, owner, shared, words) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, CAST(? AS tsvector)) ON CONFLICT (user_id, source, path) DO UPDATE SET"
            " kind = excluded.kind, size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " content_hash = excluded.content_hash, mime = excluded.mime,"
            " owner = excluded.owner, shared = excluded.shared",
            (
                user_id, entry.source, entry.path, parent, name, entry.kind, entry.size,
                entry.mtime_ns, entry.content_hash, entry.mime, entry.owner, entry.shared,
                entry_vector(name, parent),
            ),
        )  # fmt: skip

    def _remove_rows(self, user_id: int, source: str, where: str, params: tuple[Any, ...]) -> None:
        self._db.execute(
            f"DELETE FROM catalog_entries WHERE user_id = ? AND source = ? AND {where}",  # noqa: S608
            (user_id, source, *params),
        )

    async def move_subtree(self, user_id: int, source: str, old: str, new: str) -> None:
        """Carry ``old`` and what is under it (entries, stars, activity) to ``new``; what the
        index still holds at ``new`` goes first (as on SQLite)."""
        if new == old:
            return
        low, high = below(old)
        new_low, new_high = below(new)
        with self._db.transaction(write=True):
            self._remove_rows(user_id, source, _UNDER, (new, new_low, new_high))
            self._db.execute(
                f"DELETE FROM catalog_stars WHERE user_id = ? AND source = ? AND {_UNDER}",  # noqa: S608
                (user_id, source, new, new_low, new_high),
            )
            rows = self._db.execute(
                "SELECT id, path FROM catalog_entries WHERE user_id = ? AND source = ?"  # noqa: S608
                f" AND {_UNDER}{self._db.lock_rows}",
                (user_id, source, old, low, high),
            ).rows
            moved_rows = []
            for row_id, path in rows:
                moved = new + path[len(old) :]
                parent, name = split_path(moved)
                moved_rows.append((moved, parent, name, entry_vector(name, parent), row_id))
            self._db.execute_many(
                "UPDATE catalog_entries SET path = ?, parent = ?, name = ?,"
                " words = CAST(? AS tsvector)"
                " WHERE id = ?",
                moved_rows,
            )
            for table in ("catalog_stars", "catalog_activity"):
                self._db.execute(
                    f"UPDATE {table} SET path = ? || substr(path, CAST(? AS INTEGER))"  # noqa: S608
                    f" WHERE user_id = ? AND source = ? AND {_UNDER}",
                    (new, len(old) + 1, user_id, source, old, low, high),
                )

    async def remove_subtree(self, user_id: int, source: str, path: str) -> None:
        self._remove_rows(user_id, source, _UNDER, (path, *below(path)))

    async def drop_source(self, user_id: int, source: str) -> None:
        with self._db.transaction(write=True):
            self._remove_rows(user_id, source, "TRUE", ())
            self._db.execute(
                "DELETE FROM catalog_sources WHERE user_id = ? AND source = ?", (user_id, source)
            )

    async def source_state(self, user_id: int, source: str) -> SourceState | None:
        row = self._db.execute(
            "SELECT source, feed_position, refreshed_at FROM catalog_sources"
            " WHERE user_id = ? AND source = ?",
            (user_id, source),
        ).one()
        return SourceState(*row) if row else None

    async def save_source_state(self, user_id: int, state: SourceState) -> None:
        self._db.execute(
            "INSERT INTO catalog_sources (user_id, source, feed_position, refreshed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (user_id, source) DO UPDATE SET"
            " feed_position = excluded.feed_position, refreshed_at = excluded.refreshed_at",
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
        ).one()
        return entry_of(row) if row else None

    async def entry_by_id(self, user_id: int, entry_id: int) -> CatalogEntry | None:
        row = self._db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM catalog_entries WHERE user_id = ? AND id = ?",  # noqa: S608
            (user_id, entry_id),
        ).one()
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
        where, params = query_filters(query, "postgresql")
        if not query.has_text:
            sql = (
                f"SELECT {E_COLUMNS} FROM catalog_entries e WHERE e.user_id = ?{where}"  # noqa: S608
                " ORDER BY e.mtime_ns DESC, e.path LIMIT ?"
            )
            return [entry_of(r) for r in self._db.execute(sql, (user_id, *params, limit))]
        in_name, anywhere = text_query(query, NAME), text_query(query, ANY)
        if not anywhere:
            return []  # a phrase without a word in it: FTS5 matches nothing either
        found: list[CatalogEntry] = []
        for match, tier_params in (
            ("e.words @@ CAST(? AS tsquery)", [in_name]),
            ("e.words @@ CAST(? AS tsquery) AND NOT e.words @@ CAST(? AS tsquery)",
             [anywhere, in_name]),
        ):  # fmt: skip
            sql = (
                f"SELECT {E_COLUMNS} FROM catalog_entries e WHERE e.user_id = ?"  # noqa: S608
                f" AND {match}{where} ORDER BY length(e.name), e.path LIMIT ?"
            )
            rows = self._db.execute(sql, (user_id, *tier_params, *params, limit - len(found)))
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
                "INSERT INTO catalog_stars (user_id, source, path, starred_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
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
        ).one()
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
            "SELECT source, mime, COUNT(*), CAST(SUM(size) AS BIGINT) FROM catalog_entries"
            " WHERE user_id = ? AND kind = ? GROUP BY source, mime",
            (user_id, FILE),
        )
        return grouped_usage(rows)

    async def usage_by_age(self, user_id: int, now: int) -> Sequence[AgeRow]:
        bands = [*(label for label, _ in AGE_BANDS), OLDER]
        cases = " ".join(f"WHEN mtime_ns >= ? THEN {i}" for i in range(len(AGE_BANDS)))
        since = [(now - seconds) * 10**9 for _, seconds in AGE_BANDS]
        rows = self._db.execute(
            f"SELECT CASE {cases} ELSE {len(AGE_BANDS)} END AS band, COUNT(*),"  # noqa: S608
            " CAST(SUM(size) AS BIGINT) FROM catalog_entries WHERE user_id = ? AND kind = ?"
            " GROUP BY band",
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
        ).rows
        return [
            [
                entry_of(row)
                for row in self._db.execute(
                    f"SELECT {ENTRY_COLUMNS} FROM catalog_entries"  # noqa: S608
                    " WHERE user_id = ? AND content_hash = ? ORDER BY source, path",
                    (user_id, content_hash),
                )
            ]
            for (content_hash,) in hashes
        ]

    async def same_name_and_size(
        self, user_id: int, limit: int
    ) -> Sequence[Sequence[CatalogEntry]]:
        keys = self._db.execute(
            "SELECT name, size FROM catalog_entries WHERE user_id = ? AND kind = ? AND size > 0"
            " GROUP BY name, size HAVING COUNT(*) > 1"
            " ORDER BY (COUNT(*) - 1) * size DESC, name LIMIT ?",
            (user_id, FILE, limit),
        ).rows
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


def catalog_store(database: Database) -> PostgresCatalogStore | SqliteCatalogStore:
    """The catalog on the deployment's database: FTS5 on SQLite, ``tsvector`` on PostgreSQL."""
    if isinstance(database, SqliteDatabase):
        return SqliteCatalogStore(database.connection)
    return PostgresCatalogStore(database)
