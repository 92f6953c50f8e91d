"""Positions of changes to users' files in the deployment's database, on SQLite and on
PostgreSQL: every instance takes from one counter, so a position means the same everywhere.
On SQLite a change and its position commit in one transaction: in commit order, and never
one without the other (a rollback, a failed position, a writer killed before its commit)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from syncoxide.server.datadir import migrate
from syncoxide.server.files.change_positions import SHARED_ERA, SharedPositions
from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.scale.services import Postgres

TAKERS = 4
TAKES = 25
#: Changes each writer records: enough that writers taking positions after their commits (as
#: SQLite did before) interleave between a commit and a position, and the order test fails.
WRITES = 100
#: A change, as the file store writes one (a row per change; its id follows the commit order).
LEDGER = "CREATE TABLE change_ledger (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL)"
PG_LEDGER = "CREATE TABLE change_ledger (id SERIAL PRIMARY KEY, writer INTEGER NOT NULL)"


@pytest.fixture(params=["sqlite", "postgresql"])
def instances(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Database]]:
    """Handles of several instances on one database (each its own connection)."""
    handles: list[Database]
    if request.param == "sqlite":
        first = sqlite_at(tmp_path / "shared.sqlite3")
        migrate(first.connection)
        handles = [first, *(sqlite_at(tmp_path / "shared.sqlite3") for _ in range(TAKERS - 1))]
    else:
        postgres: Postgres = request.getfixturevalue("postgres")
        url = postgres.create_database(f"positions_{tmp_path.name[-20:]}".lower())
        asyncio.run(migrate_postgres(url))
        handles = [PostgresDatabase(url) for _ in range(TAKERS)]
    yield handles
    for handle in handles:
        handle.close()


def test_instances_take_positions_from_one_counter(instances: list[Database]) -> None:
    positions = [SharedPositions(handle) for handle in instances]
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


def test_concurrent_writers_take_positions_without_gaps_in_commit_order(
    instances: list[Database],
) -> None:
    """Writers on several handles at once, each change with its position: every position once,
    none skipped; on SQLite also in the order the changes committed (the ledger's ids)."""
    _ledger(instances[0])
    positions = [SharedPositions(handle) for handle in instances]
    start = threading.Barrier(TAKERS)

    def writes(writer: int) -> list[tuple[int, int]]:
        handle, mine = instances[writer], positions[writer]
        start.wait()
        done = []
        for _ in range(WRITES):
            with mine.recording() as taken:
                row = handle.insert("INSERT INTO change_ledger (writer) VALUES (?)", (writer,))
            done.append((row, taken.position))
        return done

    with ThreadPoolExecutor(TAKERS) as pool:
        done = [pair for batch in pool.map(writes, range(TAKERS)) for pair in batch]
    every = list(range(1, 1 + TAKERS * WRITES))
    assert sorted(position for _, position in done) == every  # each once, none skipped
    assert sorted(row for row, _ in done) == _recorded(instances[0])  # each change committed
    if instances[0].dialect == "sqlite":  # a position per commit, in commit order
        assert [position for _, position in sorted(done)] == every
    assert positions[0].current() == TAKERS * WRITES


class _Refused(Exception):
    pass


def test_on_sqlite_a_change_and_its_position_commit_together(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    handle = sqlite_at(path)
    migrate(handle.connection)
    _ledger(handle)
    positions = SharedPositions(handle)
    with positions.recording() as taken:
        handle.insert("INSERT INTO change_ledger (writer) VALUES (1)")
    assert (taken.position, positions.current(), _recorded(handle)) == (1, 1, [1])
    # The change's statements fail after writing: no position is taken, nothing is kept.
    with pytest.raises(_Refused), positions.recording():
        handle.insert("INSERT INTO change_ledger (writer) VALUES (2)")
        raise _Refused
    assert (positions.current(), _recorded(handle)) == (1, [1])
    # The change is written, then its position fails: the change goes with it.
    handle.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON storage_change_positions"
        " BEGIN SELECT RAISE(ABORT, 'no position (a test)'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="no position"), positions.recording():
        handle.insert("INSERT INTO change_ledger (writer) VALUES (3)")
    handle.execute("DROP TRIGGER refuse")
    assert (positions.current(), _recorded(handle)) == (1, [1])
    # A writer killed between its change and its position (before the commit).
    context = multiprocessing.get_context("spawn")
    writer = context.Process(target=_killed_inside_the_write, args=(str(path),))
    writer.start()
    writer.join(timeout=60)
    assert writer.exitcode == 9
    assert (positions.current(), _recorded(handle)) == (1, [1])
    with positions.recording() as taken:  # its lock went with it
        handle.insert("INSERT INTO change_ledger (writer) VALUES (4)")
    assert (taken.position, len(_recorded(handle))) == (2, 2)
    handle.close()


def _killed_inside_the_write(path: str) -> None:
    """Another instance's process: it writes a change and dies before taking its position."""
    handle = sqlite_at(Path(path))
    with SharedPositions(handle).recording():
        handle.insert("INSERT INTO change_ledger (writer) VALUES (9)")
        os._exit(9)
