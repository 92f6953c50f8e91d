"""The catalog's words on PostgreSQL: a ``tsvector`` column of the entry's own row.

The words (server/catalog/pg_words.py says how they are split, as SQLite's FTS5 splits them)
sit under a GIN index and are rewritten with the row: no second table to keep in step. A
search ranks in the same two tiers as on SQLite: files whose name holds every word, shortest
names first, then files matched through their folders. Every other query is the shared one
(server/catalog/sql_store.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from syncoxide.catalog.model import CatalogEntry
from syncoxide.catalog.search import SearchQuery
from syncoxide.server.catalog.name_runs import ON_CONFLICT
from syncoxide.server.catalog.pg_words import ANY, NAME, entry_vector, text_query
from syncoxide.server.catalog.rows import E_COLUMNS, entry_of, split_path
from syncoxide.server.catalog.sql_store import MovedRow, RemovedRow, SqlCatalogStore
from syncoxide.server.storage.database import Reads

#: The name runs' rows (server/catalog/name_runs.py) of the entries a ``WHERE`` tail picks:
#: the lexemes of weight A are the name's words, split as the search splits them.
_ADD_NAME_WORDS = (
    "INSERT INTO catalog_name_words (user_id, word, name_len, path, source, entry_id)"
    " SELECT e.user_id, w.lexeme, length(e.name), e.path, e.source, e.id"
    " FROM catalog_entries e, unnest(e.words) w WHERE 'A' = ANY(w.weights) AND"
)


class PostgresCatalogStore(SqlCatalogStore):
    words_apart = False  # they are a column of the entry's row, and go with it

    def _upsert_many(self, user_id: int, entries: Sequence[CatalogEntry]) -> None:
        """One ``executemany`` (psycopg pipelines it: no round trip per row)."""
        self._db.execute_many(
            "INSERT INTO catalog_entries (user_id, source, path, parent, name, kind, size,"
            " mtime_ns, content_hash, mime, owner, shared, words) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, CAST(? AS tsvector)) ON CONFLICT (user_id, source, path) DO UPDATE SET"
            " kind = excluded.kind, size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " content_hash = excluded.content_hash, mime = excluded.mime,"
            " owner = excluded.owner, shared = excluded.shared",
            [_entry_row(user_id, entry) for entry in entries],
        )
        if not self.name_runs:
            return
        by_source: dict[str, list[str]] = {}
        for entry in entries:
            by_source.setdefault(entry.source, []).append(entry.path)
        for source, paths in by_source.items():
            self._db.execute(
                f"{_ADD_NAME_WORDS} e.user_id = ? AND e.source = ? AND e.path = ANY(?)"
                f"{ON_CONFLICT}",
                (user_id, source, paths),
            )

    def _restat(self, db: Reads) -> None:
        """Without statistics the planner took a bulk-filled table for a few rows and
        searched by scanning every entry of the user: 147 ms for one word at 100,000 entries,
        17 ms through the GIN index once analyzed (EXPLAIN ANALYZE, docs/catalog.md)."""
        db.execute("ANALYZE catalog_entries")

    def _words_removed(self, user_id: int, removed: Sequence[RemovedRow]) -> None:
        """Never called (``words_apart`` is false): the words went with their row."""

    def _rewrite_moved(self, user_id: int, moved: Sequence[MovedRow]) -> None:
        self._db.execute_many(
            "UPDATE catalog_entries SET path = ?, parent = ?, name = ?,"
            " words = CAST(? AS tsvector) WHERE id = ?",
            [(r.path, r.parent, r.name, entry_vector(r.name, r.parent), r.row_id) for r in moved],
        )
        if not self.name_runs:
            return
        ids = [r.row_id for r in moved]
        self._db.execute("DELETE FROM catalog_name_words WHERE entry_id = ANY(?)", (ids,))
        self._db.execute(f"{_ADD_NAME_WORDS} e.id = ANY(?){ON_CONFLICT}", (ids,))

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
        where, params = filters
        in_name, anywhere = text_query(query, NAME), text_query(query, ANY)
        if not anywhere:
            return []  # a phrase without a word in it: FTS5 matches nothing either
        found: list[CatalogEntry] = []
        tiers = (
            ("e.words @@ CAST(? AS tsquery)", [in_name]),
            ("e.words @@ CAST(? AS tsquery) AND NOT e.words @@ CAST(? AS tsquery)",
             [anywhere, in_name]),
        )  # fmt: skip
        for match, tier_params in tiers[1:] if names_found else tiers:
            sql = (
                f"SELECT {E_COLUMNS} FROM catalog_entries e WHERE e.user_id = ?"  # noqa: S608
                f" AND {match}{where} ORDER BY length(e.name), e.path, e.source LIMIT ?"
            )
            rows = db.execute(sql, (user_id, *tier_params, *params, limit - len(found)))
            found += [entry_of(r) for r in rows]
            if len(found) >= limit:
                break
        return found

    def _ranked_rows(self, db: Reads, sql: str, params: Sequence[Any]) -> list[CatalogEntry]:
        return [entry_of(row) for row in db.execute(sql, params)]


def _entry_row(user_id: int, entry: CatalogEntry) -> tuple[object, ...]:
    parent, name = split_path(entry.path)
    return (user_id, entry.source, entry.path, parent, name, entry.kind, entry.size,
            entry.mtime_ns, entry.content_hash, entry.mime, entry.owner, entry.shared,
            entry_vector(name, parent))  # fmt: skip
