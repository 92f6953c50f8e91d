"""Positions of changes to users' files in the deployment's database, on SQLite and on
PostgreSQL: every instance takes from one counter, so a position means the same everywhere.
A change and its position commit in one transaction: in commit order, and never one without
the other (a rollback, a failed position, a writer killed before its commit)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import errors as pg_errors

from syncoxide.server.datadir import migrate
from syncoxide.server.files.change_positions import SHARED_ERA, SharedPositions
from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.postgres import PG_MIGRATIONS, migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.scale.services import Postgres

TAKERS = 4
TAKES = 25
#: Changes each writer records: enough that writers taking positions apart from their commits
#: (as both databases did before) interleave between a commit and a position, and the order
#: test fails.
WRITES = 100
#: A change, as the file store writes one (a row per change).
LEDGER = "CREATE TABLE change_ledger (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL)"
PG_LEDGER = "CREATE TABLE change_ledger (id SERIAL PRIMARY KEY, writer INTEGER NOT NULL)"
#: Makes the position's statement fail, after the change's statements have run.
REFUSE = {
    "sqlite": (
        "CREATE TRIGGER refuse BEFORE UPDATE ON storage_change_positions"
        " BEGIN SELECT RAISE(ABORT, 'no position (a test)'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RAISE EXCEPTION 'no position (a test)'; END $$",
        "CREATE TRIGGER refuse BEFORE UPDATE ON storage_change_positions"
        " FOR EACH ROW EXECUTE FUNCTION refuse()",
    ),
}
REFUSED = {"sqlite": sqlite3.IntegrityError, "postgresql": pg_errors.RaiseException}
ALLOW = {
    "sqlite": "DROP TRIGGER refuse",
    "postgresql": "DROP TRIGGER refuse ON storage_change_positions",
}


@dataclass(frozen=True)
class Place:
    """One deployment's database, migrated: a SQLite file or a PostgreSQL URL."""

    dialect: str
    where: str

    def open(self) -> Database:
        """A handle of its own, as each instance has."""
        if self.dialect == "sqlite":
            return sqlite_at(Path(self.where))
        return PostgresDatabase(self.where)


@pytest.fixture(params=["sqlite", "postgresql"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Place:
    if request.param == "sqlite":
        path = tmp_path / "shared.sqlite3"
        first = sqlite_at(path)
        migrate(first.connection)
        first.close()
        return Place("sqlite", str(path))
    postgres: Postgres = request.getfixturevalue("postgres")
    url = postgres.create_database(f"positions_{tmp_path.name[-20:]}".lower())
    asyncio.run(migrate_postgres(url))
    return Place("postgresql", url)


@pytest.fixture
def instances(place: Place) -> Iterator[list[Database]]:
    """Handles of several instances on one database (each its own connection), and one more
    for a follower that watches what is committed."""
    handles = [place.open() for _ in range(TAKERS + 1)]
    yield handles
    for handle in handles:
        handle.close()


def test_instances_take_positions_from_one_counter(instances: list[Database]) -> None:
    positions = [SharedPositions(handle) for handle in instances[:TAKERS]]
    assert positions[0].era == SHARED_ERA
    assert [p.current() for p in positions] == [0] * TAKERS  # none taken yet
    assert positions[0].take() == 1
    assert [p.current() for p in positions] == [1] * TAKERS

    def takes(mine: SharedPositions) -> list[int]:
        return [mine.take() for _ in range(TAKES)]

    with ThreadPoolExecutor(TAKERS) as pool:
        taken = [n for batch in pool.map(takes, positions) for n in batch]
    assert sorted(taken) == list(range(2, 2 + TAKERS * TAKES))  # each once, none skipped
    assert positions[-1].current() == 1 + TAKERS * TAKES


def _ledger(handle: Database) -> None:
    handle.execute(PG_LEDGER if handle.dialect == "postgresql" else LEDGER)


def _recorded(handle: Database) -> list[int]:
    return [int(row[0]) for row in handle.execute("SELECT id FROM change_ledger ORDER BY id")]


#: What a follower sees at one moment: the last position and the changes committed, read in
#: one statement (one snapshot on both databases).
SNAPSHOT = "SELECT (SELECT position FROM storage_change_positions), id FROM change_ledger"


def _follow(
    handle: Database, start: threading.Barrier, done: threading.Event
) -> list[tuple[int, frozenset[int]]]:
    """Snapshots of (last position, changes committed) from ``start`` until ``done``."""
    start.wait()
    seen = []
    while not done.is_set():
        rows = handle.execute(SNAPSHOT).rows
        if rows:
            seen.append((int(rows[0][0]), frozenset(int(row[1]) for row in rows)))
    return seen


def test_concurrent_writers_take_positions_without_gaps_in_commit_order(
    instances: list[Database],
) -> None:
    """Writers on several handles at once, each change with its position: every position once,
    none skipped, and in commit order: whenever a follower looks, the changes committed are
    exactly those of positions 1 to the last, so a token never names a change not yet
    visible, nor misses one that is."""
    *writers, follower = instances
    _ledger(writers[0])
    positions = [SharedPositions(handle) for handle in writers]
    start, done = threading.Barrier(TAKERS + 1), threading.Event()

    def writes(writer: int) -> list[tuple[int, int]]:
        handle, mine = writers[writer], positions[writer]
        start.wait()
        written = []
        for _ in range(WRITES):
            with mine.recording() as taken:
                row = handle.insert("INSERT INTO change_ledger (writer) VALUES (?)", (writer,))
            written.append((row, taken.position))
        return written

    with ThreadPoolExecutor(TAKERS + 1) as pool:
        watching = pool.submit(_follow, follower, start, done)
        batches = list(pool.map(writes, range(TAKERS)))
        done.set()
        seen = watching.result()
    written = [pair for batch in batches for pair in batch]
    every = list(range(1, 1 + TAKERS * WRITES))
    assert sorted(position for _, position in written) == every  # each once, none skipped
    assert sorted(row for row, _ in written) == _recorded(follower)  # each change committed
    position_of = dict(written)
    assert len(seen) > 10  # the follower looked while they wrote
    for last, rows in seen:
        assert sorted(position_of[row] for row in rows) == list(range(1, last + 1))
    assert positions[0].current() == TAKERS * WRITES


class _Refused(Exception):
    pass


def test_a_change_and_its_position_commit_together(place: Place) -> None:
    handle = place.open()
    _ledger(handle)
    positions = SharedPositions(handle)
    with positions.recording() as taken:
        handle.insert("INSERT INTO change_ledger (writer) VALUES (1)")
    assert (taken.position, positions.current(), _recorded(handle)) == (1, 1, [1])
    # The change's statements fail after writing: no position is taken, nothing is kept.
    with pytest.raises(_Refused), positions.recording():
        handle.insert("INSERT INTO change_ledger (writer) VALUES (2)")
        raise _Refused
    assert (positions.current(), len(_recorded(handle))) == (1, 1)
    # The change is written, then its position fails: the change goes with it.
    for statement in REFUSE[place.dialect]:
        handle.execute(statement)
    with pytest.raises(REFUSED[place.dialect], match="no position"), positions.recording():
        handle.insert("INSERT INTO change_ledger (writer) VALUES (3)")
    handle.execute(ALLOW[place.dialect])
    assert (positions.current(), len(_recorded(handle))) == (1, 1)
    # A writer killed between its change and its position, then one killed after its
    # position (the counter's row locked, on PostgreSQL), each before its commit.
    for dies in (_killed_before_the_position, _killed_after_the_position):
        writer = multiprocessing.get_context("spawn").Process(target=dies, args=(place,))
        writer.start()
        writer.join(timeout=60)
        assert writer.exitcode == 9
        assert (positions.current(), len(_recorded(handle))) == (1, 1)
    with positions.recording() as taken:  # its lock went with it
        handle.insert("INSERT INTO change_ledger (writer) VALUES (4)")
    assert (taken.position, positions.current(), len(_recorded(handle))) == (2, 2, 2)
    handle.close()


def _killed_before_the_position(place: Place) -> None:
    """Another instance's process: it writes a change and dies before taking its position."""
    handle = place.open()
    with SharedPositions(handle).recording():
        handle.insert("INSERT INTO change_ledger (writer) VALUES (9)")
        os._exit(9)


def _killed_after_the_position(place: Place) -> None:
    """Another instance's process: it dies between its position and the commit (what
    ``recording`` does, written out to stop in between)."""
    handle = place.open()
    with handle.transaction(write=True):
        handle.insert("INSERT INTO change_ledger (writer) VALUES (9)")
        SharedPositions(handle).take()
        os._exit(9)


def test_positions_go_on_from_the_sequence_postgresql_had(postgres: Postgres) -> None:
    """A deployment that took positions from the sequence (schema 16) and is upgraded goes on
    after the last one given, so the tokens its clients hold keep their meaning."""
    url = postgres.create_database("positions_upgraded")
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version (version) VALUES (16)")
        for script in PG_MIGRATIONS[:16]:
            db.execute(script.encode())
        for _ in range(41):
            db.execute("SELECT nextval('storage_change_positions')")
    asyncio.run(migrate_postgres(url))
    handle = PostgresDatabase(url)
    positions = SharedPositions(handle)
    assert positions.current() == 41
    assert positions.take() == 42
    handle.close()
