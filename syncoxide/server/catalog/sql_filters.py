"""A parsed search's filters as an SQL ``WHERE`` tail with bound parameters (never text)."""

from __future__ import annotations

from typing import Any

from syncoxide.catalog.search import SearchQuery

Clause = tuple[str, list[Any]]


def query_filters(query: SearchQuery) -> tuple[str, list[Any]]:
    clauses = [*_membership_clauses(query), *_range_clauses(query)]
    if query.excluded:
        clauses.append(
            (
                "e.id NOT IN (SELECT rowid FROM catalog_words WHERE catalog_words MATCH ?)",
                [query.fts_excluded()],
            )
        )
    tail = "".join(f" AND {clause}" for clause, _ in clauses)
    return tail, [value for _, values in clauses for value in values]


def _membership_clauses(query: SearchQuery) -> list[Clause]:
    """Which sources, types, extensions, folder and kind an entry must be of."""
    clauses: list[Clause] = []
    if query.sources:
        clauses.append((f"e.source IN ({', '.join('?' * len(query.sources))})", [*query.sources]))
    if query.mime_prefixes:
        ors = " OR ".join("substr(e.mime, 1, ?) = ?" for _ in query.mime_prefixes)
        clauses.append((f"({ors})", [v for p in query.mime_prefixes for v in (len(p), p)]))
    if query.extensions:
        ors = " OR ".join("lower(substr(e.name, -?)) = ?" for _ in query.extensions)
        clauses.append((f"({ors})", [v for x in query.extensions for v in (len(x) + 1, "." + x)]))
    if query.path_prefix:
        prefix = query.path_prefix + "/"
        clauses.append(("substr(e.path, 1, ?) = ?", [len(prefix), prefix]))
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
