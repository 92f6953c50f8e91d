"""A refresh's comparison of 100,000 listed keys with the index: in Python or in SQL, same run.

    .venv/bin/python bench/catalog_refresh_diff.py [--files 100000] [--rounds 5]
        [--databases sqlite,postgresql]

What a refresh after 200 changes costs beyond its listing (issue 18), on each database the
catalog runs on (SQLite: the data directory's file; PostgreSQL: a throwaway server,
tests/server/scale/services.py), on one index of ``--files`` entries (folders of 50, as
bench/catalog_search.py). The listing is in memory, 1,000 entries a page, with 100 files
changed (same size, another mtime), 50 removed and 50 added. Two ways, alternating rounds:

- python (what ``refresh_source`` does): read the index's fingerprints as tuples
  (``fingerprints``, on a read thread) and compare each page as it comes
  (``compare_in_slices``: ``ListingDiff.add_listed``);
- sql (the anchor: the planned alternative): each page written into a temporary table
  (SQLite: on the store's own connection, one ``INSERT ... SELECT FROM json_each(?)`` a page,
  temp tables in memory; PostgreSQL: on a connection of its own, ``COPY``, then ``ANALYZE``,
  as its planner otherwise guesses a few rows), then new and changed keys by one join with
  the index, removed keys by an anti-join; only those rows come back to Python. The fastest
  of the variants tried: ``executemany`` took 1.6-1.9x the wall of ``json_each`` on SQLite,
  ``unnest`` of arrays 2.3x that of ``COPY`` on PostgreSQL; without the primary key,
  PostgreSQL's hash joins gained nothing (2.3x python's wall still) and SQLite's anti-join
  ran for minutes (docs/catalog.md).

Printed per database: medians of wall time, our process's CPU and (PostgreSQL) the database
server's CPU, sql/python ratios, and by step. Both ways must find the same changes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncoxide.catalog.diff import IndexChanges, ListingDiff
from syncoxide.catalog.model import DIR, FILE, CatalogEntry, from_listing, preferred_hash
from syncoxide.catalog.refresh import compare_in_slices
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.server.catalog.sql_store import SqlCatalogStore
from syncoxide.server.catalog.store import catalog_store
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.storage.database import Database, SqliteDatabase, sqlite_at
from syncoxide.server.webbuild import project_root

SOURCE, PAGE = "s3", 1_000
Found = tuple[frozenset[str], tuple[str, ...]]  # (paths written, paths removed)

_COLUMNS = "path, kind, size, mtime_ns, content_hash"
_CHANGED = (
    f"SELECT {', '.join('t.' + c for c in _COLUMNS.split(', '))} FROM {{t}} t"
    " LEFT JOIN catalog_entries e ON e.user_id = ? AND e.source = ? AND e.path = t.path"
    " WHERE e.id IS NULL OR e.kind <> t.kind OR e.size <> t.size OR e.mtime_ns <> t.mtime_ns"
    " OR (t.content_hash <> '' AND t.content_hash <> e.content_hash)"
)
_REMOVED = (
    "SELECT e.path FROM catalog_entries e WHERE e.user_id = ? AND e.source = ?"
    " AND NOT EXISTS (SELECT 1 FROM {t} t WHERE t.path = e.path) ORDER BY e.path"
)
_FROM_JSON = (
    "INSERT INTO {t} SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4"
    " FROM json_each(?) WHERE TRUE ON CONFLICT (path) DO UPDATE SET kind = excluded.kind,"
    " size = excluded.size, mtime_ns = excluded.mtime_ns, content_hash = excluded.content_hash"
)
_tables = itertools.count()


def listing(files: int, changed: set[int], removed: set[int], *, added: int = 0) -> list[Entry]:
    base = 1_700_000_000 * 10**9
    entries = []
    for n in range(files):
        if n in removed:
            continue
        folder = n // 50
        path = f"area-{folder // 50:02d}/folder-{folder:04d}/plan report {n:06d}.pdf"
        entries.append(Entry(path, EntryKind.FILE, 10 + n % 50, base + n + 7 * (n in changed)))
    return entries + [
        Entry(f"added/new {n:03d}.txt", EntryKind.FILE, 3, base) for n in range(added)
    ]


def pages(entries: list[Entry]) -> list[list[Entry]]:
    return [entries[start : start + PAGE] for start in range(0, len(entries), PAGE)]


async def in_python(store: SqlCatalogStore, user: int, listed: list[Entry], steps: Any) -> Found:
    started = time.perf_counter()
    diff = ListingDiff(await store.fingerprints(user, SOURCE))
    steps["read"] = time.perf_counter() - started
    for page in pages(listed):
        await compare_in_slices(diff, SOURCE, page, "")
    changes = diff.changes()
    steps["compare"] = time.perf_counter() - started - steps["read"]
    return frozenset(e.path for e in changes.upserts), changes.removals


class SqliteSide:
    """The sql way on the store's own SQLite connection (temp tables are per connection)."""

    dialect = "sqlite"

    def __init__(self, db: Database) -> None:
        assert isinstance(db, SqliteDatabase)
        self._connection = db.connection
        self._connection.execute("PRAGMA temp_store = MEMORY")  # the sql way's best case here

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(sql, params).fetchall()

    def write_page(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        self._connection.execute(_FROM_JSON.format(t=table), (json.dumps(rows),))


class PostgresSide:
    """The sql way on a PostgreSQL connection of its own, pages written by ``COPY``."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self._connection = psycopg.connect(url, autocommit=True)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        from syncoxide.server.storage.postgres_database import postgres_sql

        cursor = self._connection.execute(postgres_sql(sql), params)
        return cursor.fetchall() if cursor.description else []

    def write_page(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        with (
            self._connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        self._connection.close()


async def in_sql(side: Any, user: int, listed: list[Entry], steps: Any) -> Found:
    table = f"bench_listing_{next(_tables)}"
    on_postgres = side.dialect == "postgresql"
    collated = ' COLLATE "C"' if on_postgres else ""  # as the index's paths: bytewise
    side.execute(
        f"CREATE TEMP TABLE {table} (path TEXT{collated} PRIMARY KEY, kind TEXT NOT NULL,"
        " size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL, content_hash TEXT NOT NULL)"
    )
    try:
        started = time.perf_counter()
        for page in pages(listed):
            side.write_page(table, [_row(e) for e in page])
            await asyncio.sleep(0)
        if on_postgres:
            side.execute(f"ANALYZE {table}")
        steps["write listing"] = time.perf_counter() - started
        changed = side.execute(_CHANGED.format(t=table), (user, SOURCE))
        steps["join"] = time.perf_counter() - started - steps["write listing"]
        removed = side.execute(_REMOVED.format(t=table), (user, SOURCE))
        steps["anti-join"] = time.perf_counter() - started - steps["write listing"] - steps["join"]
    finally:
        side.execute(f"DROP TABLE {table}")
    upserts = [_entry(row) for row in changed]
    return frozenset(e.path for e in upserts), tuple(path for (path,) in removed)


def _row(entry: Entry) -> tuple[str, str, int, int, str]:
    """The listed fingerprint alone, as ``ListingDiff.add_listed`` reads it (files and
    folders only here): no entry built for an unchanged key."""
    if entry.kind is EntryKind.FILE:
        return (entry.path, FILE, entry.size, entry.mtime_ns, preferred_hash(entry.hashes))
    return (entry.path, DIR, 0, 0, "")


def _entry(row: tuple[Any, ...]) -> CatalogEntry:
    path, kind, size, mtime_ns, digest = row
    return CatalogEntry(SOURCE, path, kind, size, mtime_ns, digest)


def server_cpu(db: Database) -> float:
    """CPU seconds so far of this database's PostgreSQL backends (Linux /proc); 0 on SQLite."""
    if db.dialect != "postgresql":
        return 0.0
    pids = db.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").rows
    total = 0.0
    for (pid,) in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def measure(db: Database, args: argparse.Namespace) -> None:
    user = db.insert("INSERT INTO users (name, display_name, created_at) VALUES ('b', 'b', 0)")
    store = catalog_store(db)
    side = SqliteSide(db) if isinstance(db, SqliteDatabase) else PostgresSide(db.url)  # type: ignore[attr-defined]
    started = time.perf_counter()
    indexed = [from_listing(SOURCE, e) for e in listing(args.files, set(), set())]
    await store.apply(user, SOURCE, IndexChanges(upserts=tuple(e for e in indexed if e)))
    if db.dialect == "postgresql":
        db.execute("ANALYZE catalog_entries")
    print(f"{db.dialect}: {args.files} entries indexed in {time.perf_counter() - started:.1f} s")
    chance = random.Random(18)
    picked = chance.sample(range(args.files), 150)
    listed = listing(args.files, set(picked[:100]), set(picked[100:]), added=50)
    ways: dict[str, Callable[[dict[str, float]], Awaitable[Found]]] = {
        "python": lambda steps: in_python(store, user, listed, steps),
        "sql": lambda steps: in_sql(side, user, listed, steps),
    }
    figures: dict[str, list[tuple[float, float, float, dict[str, float]]]] = {w: [] for w in ways}
    answers = set()
    for number in range(args.rounds + 1):  # the first round warms caches and connections
        for way, work in ways.items() if number % 2 else reversed(ways.items()):
            steps: dict[str, float] = {}
            cpu, served, wall = time.process_time(), server_cpu(db), time.perf_counter()
            found = await work(steps)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if number:
                figures[way].append((wall, cpu, server_cpu(db) - served, steps))
            answers.add(found)
    if len(answers) != 1 or len(next(iter(answers))[0]) != 150:
        raise SystemExit(
            f"the two ways found different changes: {[(len(a), len(b)) for a, b in answers]}"
        )
    report(db.dialect, figures)
    store.close()
    if isinstance(side, PostgresSide):
        side.close()


def report(dialect: str, figures: dict[str, list[tuple[float, float, float, Any]]]) -> None:
    medians = {way: [statistics.median(f[i] for f in rows) for i in range(3)]
               for way, rows in figures.items()}  # fmt: skip
    for way, rows in figures.items():
        wall, cpu, served = medians[way]
        steps = ", ".join(f"{name} {statistics.median(f[3][name] for f in rows):.3f}"
                          for name in rows[0][3])  # fmt: skip
        walls = ", ".join(f"{f[0]:.2f}" for f in rows)
        print(f"  {way:6} wall {wall:.3f} s ({walls}), our CPU {cpu:.3f} s, "
              f"database server CPU {served:.3f} s; steps (wall s): {steps}")  # fmt: skip
    (py_wall, py_cpu, py_served), (sql_wall, sql_cpu, sql_served) = medians.values()
    print(f"  sql/python: wall {sql_wall / py_wall:.2f}x, our CPU {sql_cpu / py_cpu:.2f}x, "
          f"our + server CPU {(sql_cpu + sql_served) / (py_cpu + py_served):.2f}x "
          f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip


@contextlib.contextmanager
def database(dialect: str, base: Path) -> Iterator[Database]:
    if dialect == "sqlite":
        config = ServerConfig(data_dir=base / "data", web_root=project_root() / "web")
        prepare_data_dir(config)
        handle: Database = sqlite_at(config.database_path)
        yield handle
        handle.close()
        return
    from syncoxide.server.storage.postgres import migrate_postgres
    from syncoxide.server.storage.postgres_database import PostgresDatabase
    from tests.server.scale.services import postgres_server

    with postgres_server() as server:
        url = server.create_database("refresh_diff")
        asyncio.run(migrate_postgres(url))
        handle = PostgresDatabase(url)
        yield handle
        handle.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each way (medians)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for dialect in args.databases.split(","):
        base = Path(tempfile.mkdtemp(prefix="refresh-diff-"))
        try:
            with database(dialect, base) as handle:
                asyncio.run(measure(handle, args))
        finally:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
