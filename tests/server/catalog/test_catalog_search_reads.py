"""A search, and a refresh's read of an index, run on a worker thread with a connection of
its own (sql_store.py), on SQLite and on PostgreSQL: they read what is committed, never what a
write transaction on the event loop's connection has under way, and do not wait for it. The
server's shutdown stops those threads and closes their connections."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry
from syncoxide.catalog.search import parse_search
from syncoxide.server.app import create_app
from syncoxide.server.catalog.store import catalog_store
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.databases import sqlite_only
from tests.server.scale.services import Postgres
from tests.server.signin import signed_in_client

PLAN = CatalogEntry("home", "docs/summer plan.pdf", size=3)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of either kind."""
    handle: Database
    if request.param == "sqlite":
        config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
        prepare_data_dir(config)
        handle = sqlite_at(config.database_path)
    else:
        postgres: Postgres = request.getfixturevalue("postgres")
        url = postgres.create_database("catalog_search_reads")
        asyncio.run(migrate_postgres(url))
        handle = PostgresDatabase(url)
    yield handle
    handle.close()


def test_a_search_reads_what_is_committed_not_a_write_under_way(database: Database) -> None:
    user = database.insert(
        "INSERT INTO users (name, display_name, created_at) VALUES ('ada', 'Ada', 0)"
    )
    store = catalog_store(database)
    asyncio.run(store.apply(user, "home", IndexChanges(upserts=(PLAN,))))

    async def search() -> list[str]:
        found = await store.search(user, parse_search("plan"), 10)
        fingerprints = await store.fingerprints(user, "home")
        return [entry.path for entry in found] + sorted(fingerprints)

    try:
        with database.transaction(write=True):
            database.execute("DELETE FROM catalog_entries WHERE user_id = ?", (user,))
            assert asyncio.run(asyncio.wait_for(search(), 5)) == [PLAN.path, PLAN.path]
        assert asyncio.run(search()) == []  # committed now
    finally:
        store.close()


def test_a_large_batch_refreshes_the_planner_statistics(postgres: Postgres) -> None:
    """A first index into an empty table is planned for as a table of a few rows (a scan of
    every entry per search) until the table is analyzed: a batch past ``restat_after`` does."""
    url = postgres.create_database("catalog_restat")
    asyncio.run(migrate_postgres(url))
    database = PostgresDatabase(url)
    store = catalog_store(database)
    try:
        user = database.insert(
            "INSERT INTO users (name, display_name, created_at) VALUES ('ada', 'Ada', 0)"
        )
        store.restat_after = 20
        rows = "SELECT reltuples FROM pg_class WHERE relname = 'catalog_entries'"
        small = tuple(CatalogEntry("home", f"a/{n}.txt") for n in range(19))
        asyncio.run(store.apply(user, "home", IndexChanges(upserts=small)))
        assert database.execute(rows).rows == [(-1,)]  # never analyzed
        large = tuple(CatalogEntry("home", f"b/{n}.txt") for n in range(20))
        asyncio.run(store.apply(user, "home", IndexChanges(upserts=large)))
        assert database.execute(rows).rows == [(39,)]
    finally:
        store.close()
        database.close()


@sqlite_only("it counts the SQLite file's open connections")
def test_the_servers_shutdown_stops_the_catalog_read_threads_and_their_connections(
    tmp_path: Path,
) -> None:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    client, _ = signed_in_client(create_app(config), "ada")
    with client:
        before, threads = _files_open(config.database_path), _catalog_read_threads()
        answer = client.get("/api/v1/catalog/search", params={"q": "plan"})
        assert answer.status_code == 200
        ours = _catalog_read_threads() - threads  # other tests' stores may have some
        assert ours  # the search ran on one
        assert _files_open(config.database_path) > before  # with a connection of its own
    assert not ours & _catalog_read_threads()
    assert _files_open(config.database_path) == 0  # the stores' writers closed too


def _catalog_read_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("catalog-read")}


def _files_open(database: Path) -> int:
    """This process's open write-ahead logs of the database: one per connection. (Not the
    database file: SQLite keeps a closed connection's handle of it open while other
    connections of the process hold locks on it.)"""
    fds, log = Path("/proc/self/fd"), f"{database.resolve()}-wal"
    return sum(os.path.realpath(fds / fd) == log for fd in os.listdir(fds))
