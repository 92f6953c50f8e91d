"""Positions of changes to users' files in the deployment's database, on SQLite and on
PostgreSQL: every instance takes from one counter, so a position means the same everywhere."""

from __future__ import annotations

import asyncio
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
