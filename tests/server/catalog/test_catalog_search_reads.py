"""On PostgreSQL a search, and a refresh's read of an index, run on a worker thread with a
connection of its own (sql_store.py): they read what is committed, never what a write
transaction on the event loop's connection has under way, and do not wait for it. SQLite
reads inline (``SqliteDatabase.readers``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry
from syncoxide.catalog.search import parse_search
from syncoxide.server.catalog.sql_store import SqlCatalogStore
from syncoxide.server.catalog.store import catalog_store
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.scale.services import Postgres

PLAN = CatalogEntry("home", "docs/summer plan.pdf", size=3)


@contextlib.contextmanager
def ada_catalog(
    postgres: Postgres, name: str
) -> Iterator[tuple[PostgresDatabase, int, SqlCatalogStore]]:
    """A new migrated database ``name`` with one user, that user's id and the catalog store."""
    url = postgres.create_database(name)
    asyncio.run(migrate_postgres(url))
    database = PostgresDatabase(url)
    try:
        user = database.insert(
            "INSERT INTO users (name, display_name, created_at) VALUES ('ada', 'Ada', 0)"
        )
        yield database, user, catalog_store(database)
    finally:
        database.close()


def test_a_search_reads_what_is_committed_not_a_write_under_way(postgres: Postgres) -> None:
    with ada_catalog(postgres, "catalog_search_reads") as (database, user, store):
        asyncio.run(store.apply(user, "home", IndexChanges(upserts=(PLAN,))))

        async def search() -> list[str]:
            found = await store.search(user, parse_search("plan"), 10)
            fingerprints = await store.fingerprints(user, "home")
            return [entry.path for entry in found] + sorted(fingerprints)

        with database.transaction(write=True):
            database.execute("DELETE FROM catalog_entries WHERE user_id = ?", (user,))
            assert asyncio.run(search()) == [PLAN.path, PLAN.path]
        assert asyncio.run(search()) == []  # committed now


def test_a_large_batch_refreshes_the_planner_statistics(postgres: Postgres) -> None:
    """A first index into an empty table is planned for as a table of a few rows (a scan of
    every entry per search) until the table is analyzed: a batch past ``restat_after`` does."""
    with ada_catalog(postgres, "catalog_restat") as (database, user, store):
        store.restat_after = 20
        rows = "SELECT reltuples FROM pg_class WHERE relname = 'catalog_entries'"
        small = tuple(CatalogEntry("home", f"a/{n}.txt") for n in range(19))
        asyncio.run(store.apply(user, "home", IndexChanges(upserts=small)))
        assert database.execute(rows).rows == [(-1,)]  # never analyzed
        large = tuple(CatalogEntry("home", f"b/{n}.txt") for n in range(20))
        asyncio.run(store.apply(user, "home", IndexChanges(upserts=large)))
        assert database.execute(rows).rows == [(39,)]
