"""One table copied in batches (``COPY`` into PostgreSQL, one transaction per batch with its
progress row), then verified: row count and order-free checksum read back from both sides.

Values go through ``COPY``'s text form, which PostgreSQL parses by the column's own type:
SQLite's 0/1 flags become BOOLEAN, hex ``bytea`` stays bytes, a tsvector literal a tsvector.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from syncoxide.errors import IntegrityError
from syncoxide.server.migrate.plan import TablePlan
from syncoxide.server.migrate.progress import TableProgress, mark_verified, save_batch
from syncoxide.server.migrate.rows import Tally, row_text

#: Called after each batch is written, inside its transaction (the test's "kill" point),
#: with the table's rows and bytes copied so far.
AfterBatch = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Copied:
    rows: int  # rows in the target now
    bytes: int
    new_rows: int  # of those, copied by this run


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def source_rows(source: sqlite3.Connection, plan: TablePlan) -> Iterator[Sequence[Any]]:
    """Every row of the table, the plan's columns only (for counting and checksums)."""
    yield from source.execute(f'SELECT {_quoted(plan.columns)} FROM "{plan.name}"')  # noqa: S608


def _batch(
    source: sqlite3.Connection, plan: TablePlan, after: list[Any] | None, size: int
) -> list[Sequence[Any]]:
    """Rows past ``after`` in key order, each led by its key values."""
    keys = _quoted(plan.key) if plan.key != ("rowid",) else "rowid"
    where = ""
    params: list[Any] = []
    if after is not None:
        marks = ", ".join("?" * len(after))
        where = f" WHERE ({keys}) > ({marks})"
        params = list(after)
    query = (
        f'SELECT {keys}, {_quoted(plan.columns)} FROM "{plan.name}"{where}'  # noqa: S608
        f" ORDER BY {keys} LIMIT ?"
    )
    return source.execute(query, [*params, size]).fetchall()


def copy_table(
    source: sqlite3.Connection,
    target: psycopg.Connection[Any],
    plan: TablePlan,
    done: TableProgress | None,
    *,
    batch_size: int,
    after_batch: AfterBatch,
) -> Copied:
    """Copy what the last run left; ``done`` is where it stopped (None: from the start)."""
    last = done.last_key if done else None
    rows, size = (done.rows, done.bytes) if done else (0, 0)
    new_rows = 0
    width = len(plan.key)
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(plan.name), sql.SQL(", ").join(map(sql.Identifier, plan.target_columns))
    )
    while batch := _batch(source, plan, last, batch_size):
        values = [row[width:] for row in batch]
        batch_bytes = sum(len(row_text(row)) for row in values)
        last = list(batch[-1][:width])
        with target.transaction():
            with target.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in values:
                    copy.write_row(plan.target_row(row))
            save_batch(target, plan.name, last, rows=len(values), size=batch_bytes)
            after_batch(plan.name, rows + len(values), size + batch_bytes)
        rows, size, new_rows = rows + len(values), size + batch_bytes, new_rows + len(values)
    return Copied(rows, size, new_rows)


def verify_table(
    source: sqlite3.Connection, target: psycopg.Connection[Any], plan: TablePlan
) -> Tally:
    """Count and checksum both sides; equal, the table is marked verified, else refused."""
    ours = Tally()
    ours.add(source_rows(source, plan))
    theirs = Tally()
    query = sql.SQL("SELECT {} FROM {}").format(
        sql.SQL(", ").join(map(sql.Identifier, plan.columns)), sql.Identifier(plan.name)
    )
    with target.transaction(), target.cursor(name=f"verify_{plan.name}") as cursor:
        cursor.itersize = 10000
        cursor.execute(query)
        theirs.add(cursor)
    if (ours.rows, ours.checksum) != (theirs.rows, theirs.checksum):
        raise IntegrityError(
            f"Table {plan.name} differs after the copy: {ours.rows} rows on SQLite, "
            f"{theirs.rows} on PostgreSQL; checksums {ours.hex[:16]} and {theirs.hex[:16]}.",
            hint="The source is unchanged. Was something else writing to the target? Run the "
            "migration again with --replace-target to copy everything afresh.",
        )
    mark_verified(target, plan.name)
    return ours


def move_identity(target: psycopg.Connection[Any], plan: TablePlan, used: int) -> None:
    """New rows the server inserts get ids past the copied ones, and past ``used`` (what
    SQLite's AUTOINCREMENT handed out already: an id is never given twice)."""
    if plan.identity is None:
        return
    query = sql.SQL(
        "SELECT setval(pg_get_serial_sequence({table}, {column}),"
        " GREATEST(COALESCE((SELECT max({ident}) FROM {name}), 0), {used}) + 1, false)"
    ).format(
        table=sql.Literal(plan.name),
        column=sql.Literal(plan.identity),
        ident=sql.Identifier(plan.identity),
        name=sql.Identifier(plan.name),
        used=sql.Literal(used),
    )
    target.execute(query)
