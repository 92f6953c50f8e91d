"""The real S3 server (moto) for provider-history tests, and catalog worlds on each database.

A world's catalog, files and history run on the embedded SQLite file or on a fresh database
of a throwaway PostgreSQL (tests/server/stores/conftest.py), so every test taking ``world`` or
``new_world`` checks both catalog stores against the same expectations."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.catalog.catalog_world import CatalogWorld
from tests.server.databases import LANGUAGE_ORDER
from tests.server.scale.services import Postgres

_fresh = itertools.count()
NewWorld = Callable[[Path], CatalogWorld]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_world(request: pytest.FixtureRequest) -> Iterator[NewWorld]:
    """Makes worlds on a fresh database each (a hypothesis example needs a new one)."""
    if request.param == "sqlite":
        yield CatalogWorld
        return
    server: Postgres = request.getfixturevalue("postgres")
    opened: list[PostgresDatabase] = []

    def make(directory: Path) -> CatalogWorld:
        url = server.create_database(f"catalog_{next(_fresh)}", LANGUAGE_ORDER)
        asyncio.run(migrate_postgres(url))
        opened.append(PostgresDatabase(url))
        return CatalogWorld(directory, opened[-1])

    yield make
    for handle in opened:
        handle.close()


@pytest.fixture
def world(new_world: NewWorld, tmp_path: Path) -> CatalogWorld:
    return new_world(tmp_path)
