"""Catalog rows as entries, and the path arithmetic both catalog stores (SQLite and
PostgreSQL) share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syncoxide.catalog.model import CatalogEntry, type_group
from syncoxide.catalog.port import UsageRow

ENTRY_COLUMNS = "source, path, kind, size, mtime_ns, content_hash, mime, owner, shared, id"
E_COLUMNS = ", ".join(f"e.{c.strip()}" for c in ENTRY_COLUMNS.split(","))


def entry_of(row: Any) -> CatalogEntry:
    source, path, kind, size, mtime_ns, content_hash, mime, owner, shared, row_id = row[:10]
    return CatalogEntry(
        source, path, kind, size, mtime_ns, content_hash, mime, owner, bool(shared), row_id
    )


def split_path(path: str) -> tuple[str, str]:
    parent, _, name = path.rpartition("/")
    return parent, name


def below(folder: str) -> tuple[str, str]:
    return folder + "/", folder + "0"  # '0' follows '/': the subtree is one range


def grouped_usage(rows: Iterable[Any]) -> list[UsageRow]:
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for source, mime, files, size in rows:
        key = (source, type_group(mime))
        count, total = totals.get(key, (0, 0))
        totals[key] = (count + files, total + (size or 0))
    return [UsageRow(s, g, c, b) for (s, g), (c, b) in sorted(totals.items())]
