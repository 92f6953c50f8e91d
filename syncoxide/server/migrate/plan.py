"""Which tables a migration copies, in which order, and how each is read in batches.

The tables are those of the source's SQLite schema, less SQLite's own bookkeeping and the
search index that PostgreSQL keeps as a column instead (``SKIPPED``). Their order comes from
the target's foreign keys (a parent before the tables that reference it), so every batch
can be committed on its own. A table the target lacks, or a column it does not have, stops
the migration before anything is copied: the two schemas are kept in step by hand
(server/datadir.py, storage/postgres_schema.py) and must not drift silently.

Batches are read in key order: ``rowid`` for ordinary SQLite tables, the primary key for
``WITHOUT ROWID`` ones; the last key of a committed batch is where a resumed run goes on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from syncoxide.errors import ConfigError
from syncoxide.server.catalog.pg_words import entry_vector

#: SQLite-only tables: its own counters, the schema version (the target has its own), the
#: instance's local settings, the FTS5 index (PostgreSQL keeps words in catalog_entries), and
#: the change feed's position (the target's own counter row, starting afresh: tokens answer
#: "look at everything" once).
SKIPPED = frozenset(
    {
        "sqlite_sequence",
        "storage_change_positions",
        "schema_version",
        "instance_settings",
        "catalog_words",
        "catalog_words_config",
        "catalog_words_data",
        "catalog_words_docsize",
        "catalog_words_idx",
    }
)

Derive = Callable[[dict[str, Any]], Any]

#: Target columns with no SQLite counterpart, computed from the row's copied values.
DERIVED: dict[str, dict[str, Derive]] = {
    "catalog_entries": {"words": lambda row: entry_vector(row["name"], row["parent"])},
}


@dataclass(frozen=True)
class TablePlan:
    name: str
    columns: tuple[str, ...]  # the source's, copied as they are
    key: tuple[str, ...]  # batch order: ("rowid",) or the primary key's columns
    derived: dict[str, Derive] = field(default_factory=dict)
    identity: str | None = None  # the target's identity column, moved past the copied ids

    @property
    def target_columns(self) -> tuple[str, ...]:
        return self.columns + tuple(self.derived)

    def target_row(self, row: Sequence[Any]) -> tuple[Any, ...]:
        values = dict(zip(self.columns, row, strict=True))
        return tuple(row) + tuple(derive(values) for derive in self.derived.values())


def plan_tables(source: sqlite3.Connection, target: psycopg.Connection[Any]) -> list[TablePlan]:
    names = [
        row[0]
        for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if row[0] not in SKIPPED and not row[0].startswith("sqlite_")
    ]
    target_columns = _target_columns(target)
    missing = sorted(set(names) - set(target_columns))
    if missing:
        raise ConfigError(
            f"The PostgreSQL schema has no table for {', '.join(missing)}.",
            hint="Use the same syncoxide version for the migration as for the server.",
        )
    identities = _identities(target)
    plans = {
        name: _plan(source, name, target_columns[name], identities.get(name)) for name in names
    }
    return [plans[name] for name in _dependency_order(target, list(plans))]


def _plan(
    source: sqlite3.Connection, name: str, target_columns: set[str], identity: str | None
) -> TablePlan:
    info = source.execute(f"PRAGMA table_info('{name}')").fetchall()
    columns = tuple(row[1] for row in info)
    foreign = sorted(set(columns) - target_columns)
    if foreign:
        raise ConfigError(
            f"Table {name}: PostgreSQL has no column {', '.join(foreign)}.",
            hint="Use the same syncoxide version for the migration as for the server.",
        )
    sql = source.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    if "WITHOUT ROWID" in sql.upper():
        key = tuple(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5])
    else:
        key = ("rowid",)
    derived = DERIVED.get(name, {})
    unfilled = target_columns - set(columns) - set(derived)
    if unfilled:
        raise ConfigError(
            f"Table {name}: nothing fills PostgreSQL's {', '.join(sorted(unfilled))}."
        )
    return TablePlan(name, columns, key, derived, identity)


def _target_columns(target: psycopg.Connection[Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table, column in target.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    ):
        found.setdefault(table, set()).add(column)
    return found


def _identities(target: psycopg.Connection[Any]) -> dict[str, str]:
    rows = target.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    return {str(table): str(column) for table, column in rows}


def _dependency_order(target: psycopg.Connection[Any], names: list[str]) -> list[str]:
    """Parents first; ties in name order, so every run copies in the same order."""
    parents: dict[str, set[str]] = {name: set() for name in names}
    for child, parent in target.execute(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
    ):
        if child in parents and parent in parents and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(name for name, needs in parents.items() if not needs - set(ordered))
        if not ready:
            raise ConfigError(f"The tables {sorted(parents)} reference each other in a cycle.")
        for name in ready:
            ordered.append(name)
            del parents[name]
    return ordered
