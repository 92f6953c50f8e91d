"""A parsed search's filters as an SQL ``WHERE`` tail with bound parameters (never text)."""

from __future__ import annotations

from typing import Any

from syncoxide.catalog.search import SearchQuery


def query_filters(query: SearchQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        params.extend(values)

    if query.sources:
        add(f"e.source IN ({', '.join('?' * len(query.sources))})", *query.sources)
    if query.mime_prefixes:
        ors = " OR ".join("substr(e.mime, 1, ?) = ?" for _ in query.mime_prefixes)
        add(f"({ors})", *[v for p in query.mime_prefixes for v in (len(p), p)])
    if query.extensions:
        ors = " OR ".join("lower(substr(e.name, -?)) = ?" for _ in query.extensions)
        add(f"({ors})", *[v for x in query.extensions for v in (len(x) + 1, "." + x)])
    if query.path_prefix:
        prefix = query.path_prefix + "/"
        add("substr(e.path, 1, ?) = ?", len(prefix), prefix)
    if query.kind:
        add("e.kind = ?", query.kind)
    if query.min_size is not None:
        add("e.size >= ?", query.min_size)
    if query.max_size is not None:
        add("e.size <= ?", query.max_size)
    if query.after_ns is not None:
        add("e.mtime_ns >= ?", query.after_ns)
    if query.before_ns is not None:
        add("e.mtime_ns < ?", query.before_ns)
    if query.excluded:
        add(
            "e.id NOT IN (SELECT rowid FROM catalog_words WHERE catalog_words MATCH ?)",
            query.fts_excluded(),
        )
    return "".join(f" AND {clause}" for clause in clauses), params
