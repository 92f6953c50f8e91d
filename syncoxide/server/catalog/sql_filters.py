"""A parsed search's filters as an SQL ``WHERE`` tail with bound parameters (never text), for
the SQLite catalog (FTS5) or the PostgreSQL one (``tsvector``)."""

from __future__ import annotations

from typing import Any

from syncoxide.catalog.search import SearchQuery
from syncoxide.server.catalog.pg_words import excluded_query
from syncoxide.server.storage.database import Dialect

Clause = tuple[str, list[Any]]


def query_filters(query: SearchQuery, dialect: Dialect = "sqlite") -> tuple[str, list[Any]]:
    clauses = [*_membership_clauses(query, dialect), *_range_clauses(query)]
    if query.excluded and dialect == "sqlite":
        clauses.append(
            (
                "e.id NOT IN (SELECT rowid FROM catalog_words WHERE catalog_words MATCH ?)",
                [query.fts_excluded()],
            )
        )
    elif query.excluded and (excluded := excluded_query(query)):
        clauses.append(("NOT e.words @@ CAST(? AS tsquery)", [excluded]))
    tail = "".join(f" AND {clause}" for clause, _ in clauses)
    return tail, [value for _, values in clauses for value in values]


def _membership_clauses(query: SearchQuery, dialect: Dialect) -> list[Clause]:
    """Which sources, types, extensions, folder and kind an entry must be of."""
    clauses: list[Clause] = []
    if query.sources:
        clauses.append((f"e.source IN ({', '.join('?' * len(query.sources))})", [*query.sources]))
    if query.mime_prefixes:
        ors = " OR ".join("substr(e.mime, 1, CAST(? AS INTEGER)) = ?" for _ in query.mime_prefixes)
        clauses.append((f"({ors})", [v for p in query.mime_prefixes for v in (len(p), p)]))
    if query.extensions:
        # The name's last characters: SQLite counts a negative start from the end, PostgreSQL
        # has right() for it.
        tail = "substr(e.name, -?)" if dialect == "sqlite" else "right(e.name, CAST(? AS INTEGER))"
        ors = " OR ".join(f"lower({tail}) = ?" for _ in query.extensions)
        clauses.append((f"({ors})", [v for x in query.extensions for v in (len(x) + 1, "." + x)]))
    if query.path_prefix:
        prefix = query.path_prefix + "/"
        clauses.append(("substr(e.path, 1, CAST(? AS INTEGER)) = ?", [len(prefix), prefix]))
    if query.kind:
        clauses.append(("e.kind = ?", [query.kind]))
    return clauses


def _range_clauses(query: SearchQuery) -> list[Clause]:
    """Size and modification-time bounds; an unset bound adds nothing."""
    bounds = (
        ("e.size >= ?", query.min_size),
        ("e.size <= ?", query.max_size),
        ("e.mtime_ns >= ?", query.after_ns),
        ("e.mtime_ns < ?", query.before_ns),
    )
    return [(clause, [value]) for clause, value in bounds if value is not None]
