"""``syncoxide admin migrate`` from a real embedded deployment onto a throwaway PostgreSQL
and ``rclone serve s3``: the server started on them shows the same data through its API;
a run stopped part-way resumes without a duplicate; a changed blob is reported; targets
holding other data, a running server and bad addresses are refused, and the source is
never changed."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from syncoxide.server.migrate.run import Interrupted, MigrateOptions, migrate
from syncoxide.server.storage.postgres import migrate_postgres
from tests.conftest import PROJECT_ROOT, start_live_server
from tests.server.databases import sqlite_only
from tests.server.scale.migrate_world import Facts, add_users, cli, fill, put_object, read_back
from tests.server.scale.services import Postgres
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = [
    pytest.mark.live,
    # The source is an embedded deployment (SQLite, local disk), whatever the suite runs on.
    sqlite_only("migrates an embedded deployment to PostgreSQL"),
]
KEYS = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}


@dataclass(frozen=True)
class Source:
    data_dir: Path
    facts: Facts
    before: dict[str, Any]
    refused_while_running: str


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    folder = tmp_path_factory.mktemp("embedded")
    data_dir = folder / "data"
    add_users(data_dir, folder)
    server = start_live_server(data_dir)
    try:
        facts = fill(server, with_backups=shutil.which("borg") is not None)
        before = read_back(server, facts)
        running = cli(data_dir, "admin", "migrate", "--to", "postgresql://127.0.0.1:1/x",
                      "--blobs", "s3://b?endpoint=http://127.0.0.1:1", env=KEYS)  # fmt: skip
    finally:
        code, output = server.stop()
    assert code == 0 and "Traceback" not in output, output
    yield Source(data_dir, facts, before, running.stderr)


@dataclass(frozen=True)
class Move:
    data_dir: Path
    to: str
    blobs: str

    def args(self, *more: str) -> tuple[str, ...]:
        return ("admin", "migrate", "--to", self.to, "--blobs", self.blobs, *more)

    def options(self, **changes: Any) -> MigrateOptions:
        return MigrateOptions(self.data_dir, self.to, self.blobs, **changes)


@pytest.fixture
def move(
    source: Source, tmp_path: Path, postgres: Postgres, rclone_s3: S3Server,
    monkeypatch: pytest.MonkeyPatch,
) -> Move:  # fmt: skip
    """A copy of the source data directory, an empty database and an empty S3 prefix."""
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    data_dir = tmp_path / "data"
    shutil.copytree(source.data_dir, data_dir)
    name = tmp_path.name.lower().replace("-", "_")[:40]
    blobs = f"s3://{rclone_s3.bucket}/{name}?endpoint={rclone_s3.endpoint}"
    return Move(data_dir, postgres.create_database(name), blobs)


def fingerprint(data_dir: Path) -> dict[str, str]:
    """Every file of the data directory but the migration's lock file and SQLite's shared-memory
    index (``-shm``: every reader of a WAL database writes its read marks there; it holds no
    data and is rebuilt from the WAL when missing), by content."""
    return {
        str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and path.name != "server.lock" and not path.name.endswith("-shm")
    }


def sqlite_counts(data_dir: Path, tables: list[str]) -> dict[str, int]:
    import sqlite3

    db = sqlite3.connect(f"{(data_dir / 'syncoxide.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        db.close()


def pg_counts(url: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as db:
        counts = {}
        for table in tables:
            row = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            counts[table] = row[0] if row else -1
        return counts


def test_migrated_deployment_serves_the_same_data_from_postgresql_and_s3(
    source: Source, move: Move
) -> None:
    untouched = fingerprint(move.data_dir)
    done = cli(move.data_dir, *move.args(), env=KEYS)
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    assert any(line.startswith("users ") and " 2 rows" in line for line in lines), done.stdout
    assert any(line.startswith("catalog_entries") for line in lines), done.stdout
    assert any(line.startswith("blobs ") for line in lines) and "Done:" in done.stdout
    assert fingerprint(move.data_dir) == untouched  # the source is read, never written

    # The blobs now live in S3 only: the server must not find them on its disk.
    (move.data_dir / "blobs").rename(move.data_dir / "blobs.before")
    env = {"SYNCOXIDE_DATABASE": move.to, "SYNCOXIDE_BLOBS": move.blobs, **KEYS}
    server = start_live_server(move.data_dir, env=env)
    try:
        assert read_back(server, source.facts) == source.before
    finally:
        code, output = server.stop()
    assert code == 0 and "Traceback" not in output, output


def test_a_run_stopped_part_way_resumes_without_duplicates(move: Move) -> None:
    lines: list[str] = []
    for stop_after in (3, 11):  # stopped inside a batch, as a kill would
        with pytest.raises(Interrupted):
            asyncio.run(migrate(move.options(batch_size=1, stop_after_batches=stop_after),
                                lines.append))  # fmt: skip
    with psycopg.connect(move.to) as db:
        progress: dict[str, int] = dict(
            db.execute("SELECT name, rows FROM syncoxide_migration_tables").fetchall()
        )
        tables = list(progress)
        copied = pg_counts(move.to, tables)
    assert sum(progress.values()) == 3 + 11  # the batch cut short was rolled back
    assert copied == progress

    assert asyncio.run(migrate(move.options(batch_size=2), lines.append)) == 0
    assert any(line.startswith("Resuming") for line in lines)
    with psycopg.connect(move.to) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM syncoxide_migration_tables")]
        unverified = db.execute(
            "SELECT count(*) FROM syncoxide_migration_tables WHERE NOT verified"
        ).fetchone()
    assert unverified == (0,)
    assert pg_counts(move.to, tables) == sqlite_counts(move.data_dir, tables)

    again = cli(move.data_dir, *move.args(), env=KEYS)  # nothing left: a no-op that says so
    assert again.returncode == 0, again.stderr
    assert "0 uploaded" in again.stdout and "verified before" in again.stdout


def test_a_killed_migration_resumes_where_it_stopped(move: Move) -> None:
    """SIGKILL while a batch is written: its rows vanish with its transaction, the next run
    resumes and copies them once."""
    asyncio.run(migrate_postgres(move.to))  # the schema, as the run makes it
    with psycopg.connect(move.to) as holder:  # reads go on, writes wait: the run stops there
        holder.execute("LOCK TABLE stored_files IN EXCLUSIVE MODE")
        run = subprocess.Popen(
            [sys.executable, "-m", "syncoxide.cli.main", *move.args("--batch-size", "1"),
             "--data-dir", str(move.data_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_ROOT,
            env={**os.environ, **KEYS},
        )  # fmt: skip
        try:
            _wait_until_blocked(move.to, run)
        finally:
            run.kill()
            output = run.communicate(timeout=60)[0]
        holder.rollback()
    assert "catalog_entries" in output and "stored_files" not in output, output
    with psycopg.connect(move.to) as db:
        assert db.execute("SELECT count(*) FROM stored_files").fetchone() == (0,)
        names = [row[0] for row in db.execute("SELECT name FROM syncoxide_migration_tables")]
    assert "stored_files" not in names and "catalog_entries" in names

    resumed = cli(move.data_dir, *move.args(), env=KEYS)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith("Resuming"), resumed.stdout
    [line] = [x for x in resumed.stdout.splitlines() if x.startswith("stored_files ")]
    assert "5 copied now" in line, line
    assert pg_counts(move.to, names) == sqlite_counts(move.data_dir, names)


def _wait_until_blocked(url: str, run: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    with psycopg.connect(url, autocommit=True) as db:
        while time.monotonic() < deadline:
            assert run.poll() is None, "the migration ended before it reached the locked table"
            waiting = db.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the migration never reached the locked table")


def test_a_blob_changed_in_s3_is_reported(move: Move, rclone_s3: S3Server) -> None:
    assert asyncio.run(migrate(move.options(), lambda line: None)) == 0
    blob = next(p for p in (move.data_dir / "blobs").rglob("*") if p.is_file())
    name = blob.relative_to(move.data_dir / "blobs").as_posix()
    changed = bytes(b ^ 1 for b in blob.read_bytes())  # same size: only the hash tells
    prefix = move.blobs.split("/")[3].split("?")[0]
    asyncio.run(put_object(rclone_s3, f"{prefix}/{name}", changed))

    checked = cli(move.data_dir, *move.args("--verify"), env=KEYS)
    assert checked.returncode == 1, checked.stdout
    assert "1 blobs differ" in checked.stderr and name in checked.stderr

    fixed = cli(move.data_dir, *move.args(), env=KEYS)  # uploaded afresh, then equal again
    assert fixed.returncode == 0, fixed.stderr
    assert "1 uploaded" in fixed.stdout, fixed.stdout
    assert cli(move.data_dir, *move.args("--verify"), env=KEYS).returncode == 0
