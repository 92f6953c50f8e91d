"""The catalog's queries, written once for SQLite and PostgreSQL through the shared database
handle (storage/database.py): entries, sources, stars, activity (Recent) and analytics.

What the two databases do differently is the words a search matches, and only that is left to
a dialect (``SqliteCatalogStore``: a contentless FTS5 table kept in step row by row;
``PostgresCatalogStore``: a ``tsvector`` column of the entry's own row). A dialect fills four
hooks: how a batch of entries is written (``_upsert_many``), what removing rows leaves to clean up
(``_words_removed``), how moved rows are rewritten (``_rewrite_moved``), and a search by words
(``_word_search``).

Each method is a few statements with no ``await`` between them, so on the event loop each runs
as one step. Batches (a refresh's changes) run in one transaction: 100,000 new entries are
one commit, not 100,000, written by ``executemany`` and removed ``REMOVE_BATCH`` paths per
statement. A refresh reads the index's fingerprints as plain tuples in one query.

Two reads run on worker threads instead (``READ_THREADS``, on the database's ``readers()``),
as they are long and stand alone: a search, and a refresh's read of a source's fingerprints
(100,000 rows). On the event loop every other request waited for them: on PostgreSQL the
process sat idle while the database server computed (at 100,000 files a search took the
database ~150 ms before the table was analyzed: ``_restat``; 16 searchers at once had a p95
of 4.1 s, 1.1 s with the reads on threads); on SQLite, FTS5 computed on the loop, one search
after the other (bench/catalog_search_load.py; docs/catalog.md). They see what is committed,
as any other connection would. ``close`` stops the threads and closes their connections.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

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
from syncoxide.server.catalog.name_runs import first_page_sql, one_name_word, run_words
from syncoxide.server.catalog.rows import (
    E_COLUMNS,
    ENTRY_COLUMNS,
    below,
    entry_of,
    grouped_usage,
    split_path,
)
from syncoxide.server.catalog.sql_filters import query_filters
from syncoxide.server.storage.database import Database, Reads

#: A path and everything under it (three parameters: the path, then ``below(path)``).
UNDER = "(path = ? OR (path >= ? AND path < ?))"
#: Paths removed by one ``DELETE ... WHERE path IN (...)``: far below SQLite's 32,766 bound
#: parameters and PostgreSQL's 65,535.
REMOVE_BATCH = 500
#: Worker threads of a store's reads off the event loop; each keeps a connection of its own.
READ_THREADS = 4

T = TypeVar("T")


@dataclass(frozen=True)
class RemovedRow:
    """An entry just deleted, with the name and folder its words were made from."""

    row_id: int
    name: str
    parent: str
    source: str

    @property
    def named(self) -> tuple[int, str, str, str]:
        """(id, name, path, source), as the name runs take it."""
        path = f"{self.parent}/{self.name}" if self.parent else self.name
        return (self.row_id, self.name, path, self.source)


@dataclass(frozen=True)
class MovedRow:
    """An entry being moved: its id, where it was (``before``) and where it goes."""

    row_id: int
    before: RemovedRow
    path: str
    parent: str
    name: str
    source: str

    @property
    def named(self) -> tuple[int, str, str, str]:
        """(id, name, path, source) after the move, as the name runs take it."""
        return (self.row_id, self.name, self.path, self.source)


class SqlCatalogStore(ABC):
    """The ``CatalogStore`` port on a ``Database``; a dialect subclass adds the words."""

    #: Whether the words live apart from their entry, so that removing entries must be
    #: told which rows went (``_words_removed``).
    words_apart = True
    #: Changes in one batch after which the dialect refreshes the planner's statistics
    #: (``_restat``): a first index of 100,000 entries into an empty table otherwise leaves
    #: PostgreSQL planning searches for a table of a few rows until autovacuum gets to it.
    restat_after = 10_000
    #: Whether a one-word search reads its first tier from the name runs, and writes keep
    #: them (server/catalog/name_runs.py); off, the words index ranks every search, as on a
    #: schema from before the runs (tests seeding such a schema, and the bench's "before").
    name_runs = True

    def __init__(self, database: Database) -> None:
        self._db = database
        self._reads = database.readers()
        self._read_pool = (
            ThreadPoolExecutor(READ_THREADS, thread_name_prefix="catalog-read")
            if self._reads is not None
            else None
        )

    def close(self) -> None:
        """Stop the read threads, letting reads under way finish, then close their
        connections. The database handle stays open: it is its owner's to close."""
        if self._read_pool is not None:
            self._read_pool.shutdown(wait=True)
        if self._reads is not None:
            self._reads.close_ended()

    async def _off_loop(self, work: Callable[[Reads], T]) -> T:
        """``work`` on a worker thread with a reading connection; inline where there is none."""
        if self._reads is None or self._read_pool is None:
            return work(self._db)
        reads = self._reads
        return await asyncio.get_running_loop().run_in_executor(
            self._read_pool, partial(work, reads)
        )

    # -- what a dialect fills in ------------------------------------------------------

    @abstractmethod
    def _upsert_many(self, user_id: int, entries: Sequence[CatalogEntry]) -> None:
        """Write each entry (under its own ``source``) as new or over the row of its path."""

    @abstractmethod
    def _restat(self, db: Reads) -> None:
        """Refresh the planner's statistics of the entries after a large batch."""

    @abstractmethod
    def _words_removed(self, user_id: int, removed: Sequence[RemovedRow]) -> None: ...

    @abstractmethod
    def _rewrite_moved(self, user_id: int, moved: Sequence[MovedRow]) -> None: ...

    @abstractmethod
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
        """Both tiers through the words index; the second alone when ``names_found`` (the
        first was read from the name runs)."""

    @abstractmethod
    def _ranked_rows(self, db: Reads, sql: str, params: Sequence[Any]) -> list[CatalogEntry]:
        """The entries a statement selects (``ENTRY_COLUMNS``), in its order."""

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
            sql += f" AND {UNDER}"
            params += (under, *below(under))
        return await self._off_loop(partial(_fingerprints, sql, params))

    async def apply(self, user_id: int, source: str, changes: IndexChanges) -> None:
        removals = changes.removals
        with self._db.transaction(write=True):
            for start in range(0, len(removals), REMOVE_BATCH):
                batch = removals[start : start + REMOVE_BATCH]
                where = f"path IN ({', '.join('?' * len(batch))})"
                self._remove_rows(user_id, source, where, batch)
            if changes.upserts:
                self._upsert_many(user_id, changes.upserts)
        if len(changes) >= self.restat_after:
            await self._off_loop(self._restat)

    def _remove_rows(self, user_id: int, source: str, where: str, params: tuple[Any, ...]) -> None:
        returning = " RETURNING id, name, parent" if self.words_apart else ""
        removed = self._db.execute(
            f"DELETE FROM catalog_entries WHERE user_id = ? AND source = ? AND {where}{returning}",  # noqa: S608
            (user_id, source, *params),
        )
        if self.words_apart:
            self._words_removed(user_id, [RemovedRow(i, n, p, source) for i, n, p in removed])

    async def move_subtree(self, user_id: int, source: str, old: str, new: str) -> None:
        """Carry ``old`` and what is under it (entries, stars, activity) to ``new``. A move
        replaces what was there: entries and stars the index still holds at ``new`` (a file
        moved over another, or a change indexed before this one was applied) go first."""
        if new == old:
            return
        low, high = below(old)
        new_low, new_high = below(new)
        with self._db.transaction(write=True):
            self._remove_rows(user_id, source, UNDER, (new, new_low, new_high))
            self._db.execute(
                f"DELETE FROM catalog_stars WHERE user_id = ? AND source = ? AND {UNDER}",  # noqa: S608
                (user_id, source, new, new_low, new_high),
            )
            rows = self._db.execute(
                "SELECT id, path, name, parent FROM catalog_entries WHERE user_id = ?"  # noqa: S608
                f" AND source = ? AND {UNDER}{self._db.lock_rows}",
                (user_id, source, old, low, high),
            )
            moved = []
            for row_id, path, name, parent in rows:
                new_path = new + path[len(old) :]
                new_parent, new_name = split_path(new_path)
                before = RemovedRow(row_id, name, parent, source)
                moved.append(MovedRow(row_id, before, new_path, new_parent, new_name, source))
            self._rewrite_moved(user_id, moved)
            for table in ("catalog_stars", "catalog_activity"):
                self._db.execute(
                    f"UPDATE {table} SET path = ? || substr(path, CAST(? AS INTEGER))"  # noqa: S608
                    f" WHERE user_id = ? AND source = ? AND {UNDER}",
                    (new, len(old) + 1, user_id, source, old, low, high),
                )

    async def remove_subtree(self, user_id: int, source: str, path: str) -> None:
        with self._db.transaction(write=True):
            self._remove_rows(user_id, source, UNDER, (path, *below(path)))

    async def drop_source(self, user_id: int, source: str) -> None:
        """Everything kept of one source, in one transaction: its entries, the user's stars
        and activity on them, its feed position and its staleness setting."""
        with self._db.transaction(write=True):
            self._remove_rows(user_id, source, "TRUE", ())
            for table in ("catalog_stars", "catalog_activity", "catalog_sources",
                          "catalog_staleness"):  # fmt: skip
                self._db.execute(
                    f"DELETE FROM {table} WHERE user_id = ? AND source = ?",  # noqa: S608
                    (user_id, source),
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

    async def staleness(self, user_id: int) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT source, stale_after FROM catalog_staleness WHERE user_id = ?", (user_id,)
        )
        return {source: int(seconds) for source, seconds in rows}

    async def set_staleness(self, user_id: int, source: str, seconds: int | None) -> None:
        if seconds is None:
            self._db.execute(
                "DELETE FROM catalog_staleness WHERE user_id = ? AND source = ?", (user_id, source)
            )
            return
        self._db.execute(
            "INSERT INTO catalog_staleness (user_id, source, stale_after) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, source) DO UPDATE SET stale_after = excluded.stale_after",
            (user_id, source, seconds),
        )

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
        """Without words, the newest matches of the filters first; with words, as the
        dialect ranks them (files whose name holds every word, shortest names first, then
        files matched through their folders' names)."""
        return await self._off_loop(partial(self._search_now, user_id=user_id, query=query,
                                            limit=limit))  # fmt: skip

    def _search_now(
        self, db: Reads, *, user_id: int, query: SearchQuery, limit: int
    ) -> list[CatalogEntry]:
        where, params = filters = query_filters(query, db.dialect)
        if query.has_text:
            return self._ranked_search(db, user_id, query, filters, limit=limit)
        sql = (
            f"SELECT {E_COLUMNS} FROM catalog_entries e WHERE e.user_id = ?{where}"  # noqa: S608
            " ORDER BY e.mtime_ns DESC, e.path, e.source LIMIT ?"
        )
        return [entry_of(r) for r in db.execute(sql, (user_id, *params, limit))]

    def _ranked_search(
        self,
        db: Reads,
        user_id: int,
        query: SearchQuery,
        filters: tuple[str, list[Any]],
        *,
        limit: int,
    ) -> list[CatalogEntry]:
        """A one-word search's first tier from the name runs (server/catalog/name_runs.py),
        the rest from the words index."""
        word = one_name_word(query) if self.name_runs else None
        words = run_words(db, user_id, word) if word is not None else None
        if words is None:
            return self._word_search(db, user_id, query, filters, limit=limit)
        found = []
        if words:
            found = self._ranked_rows(db, *first_page_sql(user_id, words, filters, limit))
        if len(found) >= limit:
            return found
        rest = self._word_search(db, user_id, query, filters, limit=limit - len(found),
                                 names_found=True)  # fmt: skip
        return found + rest

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
            " WHERE s.user_id = ? ORDER BY s.starred_at DESC, e.path, e.source LIMIT ?",
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
            " ORDER BY size DESC, path, source LIMIT ?",
            (user_id, FILE, limit),
        )
        return [entry_of(row) for row in rows]

    async def duplicates(self, user_id: int, limit: int) -> Sequence[Sequence[CatalogEntry]]:
        hashes = self._db.execute(
            "SELECT content_hash FROM catalog_entries WHERE user_id = ? AND kind = ?"
            " AND content_hash != '' AND size > 0 GROUP BY content_hash HAVING COUNT(*) > 1"
            " ORDER BY (COUNT(*) - 1) * MAX(size) DESC, content_hash LIMIT ?",
            (user_id, FILE, limit),
        )
        return [
            self._entries_where("content_hash = ?", (user_id, content_hash))
            for (content_hash,) in hashes
        ]

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
        )
        return [
            self._entries_where("kind = ? AND name = ? AND size = ?", (user_id, FILE, name, size))
            for name, size in keys
        ]

    def _entries_where(self, where: str, params: tuple[Any, ...]) -> list[CatalogEntry]:
        """The user's entries (``params`` starts with the user id) matching ``where``, in
        source and path order."""
        rows = self._db.execute(
            f"SELECT {ENTRY_COLUMNS} FROM catalog_entries"  # noqa: S608
            f" WHERE user_id = ? AND {where} ORDER BY source, path",
            params,
        )
        return [entry_of(row) for row in rows]


def _fingerprints(sql: str, params: tuple[Any, ...], db: Reads) -> dict[str, Fingerprint]:
    rows = db.execute(sql, params).rows
    return {path: (kind, size, mtime_ns, digest) for path, kind, size, mtime_ns, digest in rows}
