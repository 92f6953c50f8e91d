"""What a migration has done, kept in the target database, so a killed run resumes.

    syncoxide_migration          one row: which source (by fingerprint) this target holds
    syncoxide_migration_tables   per table: the last key committed, rows and bytes so far,
                                 and whether counts and checksums were compared equal
    syncoxide_migration_blobs    per blob: its size and SHA-256 once read back equal
                                 ('' while its upload is under way)

A batch's rows and its progress row are written in one transaction: a run killed at any
point leaves either both or neither, so a resumed run never copies a row twice. The tables
stay after the migration as its record; the server never reads them.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from syncoxide.errors import ConfigError

SCHEMA = """
CREATE TABLE IF NOT EXISTS syncoxide_migration (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    source_id TEXT NOT NULL,
    source_dir TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE TABLE IF NOT EXISTS syncoxide_migration_tables (
    name TEXT PRIMARY KEY,
    last_key TEXT NOT NULL,
    rows BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS syncoxide_migration_blobs (
    key TEXT COLLATE "C" PRIMARY KEY,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL
);
"""
PROGRESS_TABLES = ("syncoxide_migration", "syncoxide_migration_tables", "syncoxide_migration_blobs")


@dataclass(frozen=True)
class TableProgress:
    last_key: list[Any] | None
    rows: int
    bytes: int
    verified: bool


def source_fingerprint(signing_key: Path, data_dir: Path) -> str:
    """Names the source deployment without revealing anything: a hash of its signing key
    (made on its first start, never shared), or of its folder when it has none."""
    seed = signing_key.read_bytes() if signing_key.is_file() else str(data_dir.resolve()).encode()
    return hashlib.sha256(b"syncoxide migration source\0" + seed).hexdigest()[:32]


def recorded_source(target: psycopg.Connection[Any]) -> str | None:
    """The fingerprint of the source this target was filled from; None if it never was."""
    exists = target.execute("SELECT to_regclass('syncoxide_migration')").fetchone()
    if exists is None or exists[0] is None:
        return None
    row = target.execute("SELECT source_id FROM syncoxide_migration").fetchone()
    return None if row is None else str(row[0])


def claim(
    target: psycopg.Connection[Any], source_id: str, source_dir: Path, tables: list[str], *,
    replace: bool,
) -> bool:  # fmt: skip
    """Make the target this source's: resume (True) a migration of the same source, start
    one (False) on an empty target; refuse a target holding other data unless ``replace``,
    which empties the migrated tables first."""
    recorded = recorded_source(target)
    if recorded == source_id and not replace:
        return True
    if not replace:
        _refuse_foreign(target, recorded, tables)
    with target.transaction():
        target.execute(SCHEMA.encode())
        if replace:
            names = sql.SQL(", ").join(map(sql.Identifier, [*tables, *PROGRESS_TABLES]))
            target.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names))
        target.execute(
            "INSERT INTO syncoxide_migration (id, source_id, source_dir, started_at)"
            " VALUES (1, %s, %s, %s)",
            (source_id, str(source_dir), int(time.time())),
        )
    return False


def _refuse_foreign(
    target: psycopg.Connection[Any], recorded: str | None, tables: list[str]
) -> None:
    if recorded is not None:
        raise ConfigError(
            "The target database already holds data migrated from another deployment.",
            hint="Nothing was changed. Point --to at an empty database, or add "
            "--replace-target to empty it first (its current data is lost).",
        )
    held = [(name, count) for name in tables if (count := _count(target, name))]
    if held:
        shown = ", ".join(f"{name} ({count} rows)" for name, count in held[:5])
        raise ConfigError(
            f"The target database already holds a deployment's data: {shown}.",
            hint="Nothing was changed. Point --to at an empty database, or add "
            "--replace-target to empty it first (its current data is lost).",
        )


def _count(target: psycopg.Connection[Any], table: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
    row = target.execute(query).fetchone()
    return int(row[0]) if row else 0


def table_progress(target: psycopg.Connection[Any]) -> dict[str, TableProgress]:
    if recorded_source(target) is None:
        return {}
    rows = target.execute(
        "SELECT name, last_key, rows, bytes, verified FROM syncoxide_migration_tables"
    )
    return {
        name: TableProgress(json.loads(key), int(count), int(size), bool(verified))
        for name, key, count, size, verified in rows
    }


def save_batch(
    target: psycopg.Connection[Any], table: str, last_key: list[Any], *, rows: int, size: int
) -> None:
    """Adds a committed batch (call inside the batch's transaction)."""
    target.execute(
        "INSERT INTO syncoxide_migration_tables (name, last_key, rows, bytes)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET last_key = excluded.last_key,"
        " rows = syncoxide_migration_tables.rows + excluded.rows,"
        " bytes = syncoxide_migration_tables.bytes + excluded.bytes",
        (table, json.dumps(last_key), rows, size),
    )


def mark_verified(target: psycopg.Connection[Any], table: str) -> None:
    target.execute(
        "INSERT INTO syncoxide_migration_tables (name, last_key, rows, bytes, verified)"
        " VALUES (%s, 'null', 0, 0, TRUE)"
        " ON CONFLICT (name) DO UPDATE SET verified = TRUE",
        (table,),
    )


def mark_finished(target: psycopg.Connection[Any]) -> None:
    target.execute("UPDATE syncoxide_migration SET finished_at = %s", (int(time.time()),))
