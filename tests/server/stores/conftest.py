"""Every store test here runs twice: on the embedded SQLite file and on a throwaway
PostgreSQL (tests/server/scale/services.py), each migrated by the server's own migrations."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncoxide.server.datadir import migrate
from syncoxide.server.storage.database import Database, SqliteDatabase, sqlite_at
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.databases import LANGUAGE_ORDER
from tests.server.scale.services import Postgres

_fresh = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database of the parameter's dialect, with nobody in it yet."""
    if request.param == "sqlite":
        handle = sqlite_at(tmp_path / "syncoxide.sqlite3")
        migrate(handle.connection)
        yield handle
        handle.close()
        return
    server: Postgres = request.getfixturevalue("postgres")
    url = server.create_database(f"stores_{next(_fresh)}", LANGUAGE_ORDER)
    asyncio.run(migrate_postgres(url))
    pooled = PostgresDatabase(url)
    yield pooled
    pooled.close()


def reopened(database: Database) -> Database:
    """A second, independent handle on the same database (as after a restart)."""
    if isinstance(database, PostgresDatabase):
        return PostgresDatabase(database.url)
    assert isinstance(database, SqliteDatabase)
    # "main" is the file; a migration that used a temp table leaves "temp" listed too.
    (path,) = [
        file for _, name, file in database.execute("PRAGMA database_list").rows if name == "main"
    ]
    return sqlite_at(Path(path))


def add_user(database: Database, name: str) -> int:
    return database.insert(
        "INSERT INTO users (name, display_name, created_at) VALUES (?, ?, ?)", (name, name, 0)
    )
