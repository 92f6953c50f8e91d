"""One migration run: check the addresses and the source, refuse what would lose or mix
data, then copy and verify every table and blob, printing a line per table and a summary.

Read-only on the source: its SQLite file is opened ``mode=ro``, its blobs are only read.
The one thing written into the data directory is the lock file ``server.lock``
(server/datadir_lock.py) that keeps a server from starting there during the copy.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from syncoxide.errors import ConfigError, IntegrityError, SyncoxideError
from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import MIGRATIONS
from syncoxide.server.datadir_lock import migrating
from syncoxide.server.deployment.settings import Target, s3_location
from syncoxide.server.migrate import blobs as blob_copy
from syncoxide.server.migrate.plan import TablePlan, plan_tables
from syncoxide.server.migrate.progress import (
    TableProgress,
    claim,
    mark_finished,
    source_fingerprint,
    table_progress,
)
from syncoxide.server.migrate.tables import copy_table, move_identity, verify_table
from syncoxide.server.migrate.view import dry_run_report, human, table_line
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.s3 import S3BlobStore

Say = Callable[[str], None]
#: How often a long phase prints how far it got.
PROGRESS_SECONDS = 5.0


class Interrupted(SyncoxideError):
    """The run stopped on purpose part-way (``stop_after_batches``), as a kill would."""

    code = "interrupted"


@dataclass(frozen=True)
class MigrateOptions:
    data_dir: Path
    to: str  # postgresql://...
    blobs: str  # s3://bucket/prefix?endpoint=...
    dry_run: bool = False
    replace_target: bool = False
    verify: bool = False  # re-read every copied blob on both sides
    batch_size: int = 1000
    #: Stop after this many committed batches, inside the next one (tests of resuming).
    stop_after_batches: int | None = None


@dataclass(frozen=True)
class Endpoints:
    database: str
    s3: S3BlobStore
    blobs_shown: str


def endpoints(options: MigrateOptions) -> Endpoints:
    """The two addresses checked for form; no connection is made yet."""
    scheme = options.to.split("://", 1)[0].lower() if "://" in options.to else ""
    if scheme not in ("postgresql", "postgres") or not urlsplit(options.to).hostname:
        raise ConfigError(
            f"--to {Target('postgresql', options.to, '--to').shown!r} is not a PostgreSQL URL.",
            hint="For example --to postgresql://syncoxide:secret@db.internal:5432/syncoxide",
        )
    if not options.blobs.lower().startswith("s3://"):
        raise ConfigError(
            f"--blobs {options.blobs!r} is not an S3 location.",
            hint="For example --blobs 's3://syncoxide-blobs?endpoint=http://10.0.0.5:9000'",
        )
    where = s3_location(Target("s3", options.blobs, "--blobs"), os.environ)
    if not where.access_key_id or not where.secret_access_key:
        raise ConfigError(
            "No S3 keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set.",
            hint="Export the keys the servers will use; the URL never holds keys.",
        )
    settings = S3Settings(
        bucket=where.bucket,
        prefix=where.prefix,
        endpoint_url=where.endpoint,
        region=where.region,
        access_key_id=where.access_key_id,
        secret_access_key=where.secret_access_key,
        connect_timeout=10,
    )
    return Endpoints(options.to, S3BlobStore(settings), options.blobs)


@contextmanager
def open_source(data_dir: Path) -> Iterator[sqlite3.Connection]:
    path = ServerConfig.embedded_defaults(data_dir).database_path
    if not path.is_file():
        raise ConfigError(
            f"No embedded database at {path}.",
            hint="Pass the server's data directory with --data-dir.",
        )
    source = sqlite3.connect(f"{path.as_uri()}?{_read_only(path)}", uri=True)
    try:
        row = source.execute("SELECT version FROM schema_version").fetchone()
        if row is None or int(row[0]) != len(MIGRATIONS):
            raise ConfigError(
                f"The data directory's schema is version {row[0] if row else '?'}; this "
                f"syncoxide migrates version {len(MIGRATIONS)}.",
                hint="Start the server of this version on it once (it upgrades the schema), "
                "stop it, then migrate.",
            )
        yield source
    finally:
        source.close()


def _read_only(path: Path) -> str:
    """``immutable``: SQLite then writes nothing at all, not even its -wal and -shm files
    (the migration's lock keeps servers out meanwhile). A server that was killed may have
    left changes in its -wal file that only a WAL reader sees: then plain read-only."""
    wal = path.with_name(path.name + "-wal")
    return "mode=ro" if wal.is_file() and wal.stat().st_size else "immutable=1"


def connect_target(url: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        said = (str(error).strip() or type(error).__name__).splitlines()[0]
        raise ConfigError(
            f"PostgreSQL refused or could not be reached: {said.rstrip('.')}.",
            hint="Nothing was changed. Check host, port, database, user and password in --to.",
        ) from error


async def migrate(options: MigrateOptions, say: Say) -> int:
    """The whole run; 0 when everything was copied and verified."""
    ends = endpoints(options)
    with migrating(options.data_dir), open_source(options.data_dir) as source:
        target = connect_target(ends.database)
        try:
            local = blob_copy.local_blobs(
                ServerConfig.embedded_defaults(options.data_dir).blobs_dir
            )
            await ends.s3.keys("")  # reachable, keys accepted, bucket there: before any write
            if options.dry_run:
                dry_run_report(source, target, local, say)
                return 0
            await migrate_postgres(ends.database)
            run = _Run(options, source, target, ends, say)
            return await _copy(run, local)
        finally:
            target.close()
            await ends.s3.aclose()


@dataclass(frozen=True)
class _Run:
    options: MigrateOptions
    source: sqlite3.Connection
    target: psycopg.Connection[Any]
    ends: Endpoints
    say: Say


async def _copy(run: _Run, local: list[blob_copy.LocalBlob]) -> int:
    options, source, target, ends, say = run.options, run.source, run.target, run.ends, run.say
    config = ServerConfig.embedded_defaults(options.data_dir)
    plans = plan_tables(source, target)
    fingerprint = source_fingerprint(config.signing_key_path, options.data_dir)
    names = [plan.name for plan in plans]
    resumed = claim(target, fingerprint, options.data_dir, names, replace=options.replace_target)
    if not resumed and not options.replace_target:
        await blob_copy.refuse_foreign_objects(ends.s3, target)
    say(("Resuming" if resumed else "Migrating") + f" {options.data_dir} onto "
        f"{Target('postgresql', ends.database, '--to').shown} and {ends.blobs_shown}")  # fmt: skip
    rows, size = _copy_tables(run, plans)
    report = await blob_copy.copy_blobs(
        local, ends.s3, target, verify_all=options.verify, on_blob=_blob_progress(local, say)
    )
    say(f"{'blobs':<24} {len(local):>9} files {human(sum(b.size for b in local)):>10}  "
        f"{report.copied} uploaded, {report.skipped} done before, hashes checked")  # fmt: skip
    if report.mismatched:
        shown = ", ".join(report.mismatched[:10])
        raise IntegrityError(
            f"{len(report.mismatched)} blobs differ between the data directory and S3: {shown}.",
            hint="The source is unchanged. Run the migration again to upload them afresh; "
            "if they differ again, check the S3 service and the disk.",
        )
    mark_finished(target)
    say(f"Done: {len(plans)} tables ({rows} rows, {human(size)}) and {len(local)} blobs "
        f"({human(sum(b.size for b in local))}) copied and verified.")  # fmt: skip
    say("Start the servers with SYNCOXIDE_DATABASE and SYNCOXIDE_BLOBS set to these addresses "
        "(docs/scaling.md); keep this data directory's signing.key on every instance.")  # fmt: skip
    return 0


class _Throttled:
    """Says a line at most every ``PROGRESS_SECONDS``: a long table or blob phase shows life."""

    def __init__(self, say: Say) -> None:
        self._say = say
        self._shown = time.monotonic()

    def __call__(self, line: str) -> None:
        if time.monotonic() - self._shown >= PROGRESS_SECONDS:
            self._shown = time.monotonic()
            self._say(line)


def _blob_progress(local: list[blob_copy.LocalBlob], say: Say) -> Callable[[Any], None]:
    total, done = sum(blob.size for blob in local), [0, 0]
    show = _Throttled(say)

    def uploaded(blob: blob_copy.LocalBlob) -> None:
        done[0], done[1] = done[0] + 1, done[1] + blob.size
        show(f"{'blobs':<24} {done[0]:>9} files {human(done[1]):>10}  uploaded so far, "
             f"of {len(local)} ({human(total)})")  # fmt: skip

    return uploaded


def _copy_tables(run: _Run, plans: list[TablePlan]) -> tuple[int, int]:
    """Every table not verified yet copied and verified; all rows and bytes in the target."""
    options, source, target, say = run.options, run.source, run.target, run.say
    done = table_progress(target)
    used = dict(source.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
    budget = [options.stop_after_batches]
    show = _Throttled(say)

    def after_batch(table: str, copied: int, size: int) -> None:
        show(table_line(table, copied, size, "copying..."))
        if budget[0] is not None:
            if budget[0] <= 0:
                raise Interrupted("The migration was stopped part-way, as asked.")
            budget[0] -= 1

    rows = size = 0
    for plan in plans:
        before = done.get(plan.name)
        if before is not None and before.verified:
            say(table_line(plan.name, before.rows, before.bytes, "verified before"))
        else:
            copied = copy_table(
                source, target, plan, before,
                batch_size=options.batch_size, after_batch=after_batch,
            )  # fmt: skip
            tally = verify_table(source, target, plan)
            note = f"{copied.new_rows} copied now, count and checksum equal"
            say(table_line(plan.name, tally.rows, tally.bytes, note))
            before = done[plan.name] = TableProgress(None, tally.rows, tally.bytes, True)
        move_identity(target, plan, int(used.get(plan.name, 0)))
        rows, size = rows + before.rows, size + before.bytes
    return rows, size
