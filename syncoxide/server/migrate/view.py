"""What a migration prints: one line per table, and the dry run's report.

The dry run plans against the target's schema inside a transaction it rolls back, so it
shows the real copy order and what an earlier run already did, and changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg

from syncoxide.server.migrate.blobs import LocalBlob
from syncoxide.server.migrate.plan import plan_tables
from syncoxide.server.migrate.progress import table_progress
from syncoxide.server.migrate.rows import Tally
from syncoxide.server.migrate.tables import source_rows
from syncoxide.server.storage.postgres import PG_MIGRATIONS


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def table_line(name: str, rows: int, size: int, note: str) -> str:
    return f"{name:<24} {rows:>9} rows  {human(size):>10}  {note}"


def dry_run_report(
    source: sqlite3.Connection,
    target: psycopg.Connection[Any],
    blobs: list[LocalBlob],
    say: Callable[[str], None],
) -> None:
    say("Dry run: nothing is written. Would copy, in this order:")
    with target.transaction(force_rollback=True):
        _schema_for_planning(target)
        plans = plan_tables(source, target)
        done = table_progress(target)
    total = Tally()
    for plan in plans:
        tally = Tally()
        tally.add(source_rows(source, plan))
        before = done.get(plan.name)
        note = "verified by an earlier run" if before and before.verified else (
            f"{before.rows} copied by an earlier run" if before else "to copy"
        )  # fmt: skip
        say(table_line(plan.name, tally.rows, tally.bytes, note))
        total.rows, total.bytes = total.rows + tally.rows, total.bytes + tally.bytes
    blob_bytes = sum(blob.size for blob in blobs)
    say(f"{'blobs':<24} {len(blobs):>9} files {human(blob_bytes):>10}  to upload and hash")
    say(f"Total: {len(plans)} tables, {total.rows} rows ({human(total.bytes)}), "
        f"{len(blobs)} blobs ({human(blob_bytes)}).")  # fmt: skip


def _schema_for_planning(target: psycopg.Connection[Any]) -> None:
    """The target's schema brought up to date (the caller rolls it back)."""
    exists = target.execute("SELECT to_regclass('schema_version')").fetchone()
    version = 0
    if exists is not None and exists[0] is not None:
        row = target.execute("SELECT version FROM schema_version").fetchone()
        version = int(row[0]) if row else 0
    for script in PG_MIGRATIONS[version:]:
        target.execute(script.encode())
