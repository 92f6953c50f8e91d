"""The metadata store on PostgreSQL passes the same conformance checks as SQLite's, and
instances that start together migrate its schema exactly once."""

from __future__ import annotations

import asyncio
import gc
import itertools
import threading

import psycopg
import pytest

from syncoxide.server.storage.conformance import METADATA_CHECKS, MetadataCheck
from syncoxide.server.storage.postgres import (
    PG_MIGRATIONS,
    PostgresMetadataStore,
    migrate_postgres,
)
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.scale.services import Postgres

_fresh = itertools.count()


@pytest.mark.parametrize("check", METADATA_CHECKS, ids=lambda c: c.__name__)
def test_postgres_metadata_store(check: MetadataCheck, postgres: Postgres) -> None:
    url = postgres.create_database(f"conformance_{next(_fresh)}")

    async def body() -> None:
        await migrate_postgres(url)
        store = PostgresMetadataStore(url)
        try:
            await check(store)
        finally:
            await store.close()

    asyncio.run(body())


def test_instances_starting_together_migrate_once(postgres: Postgres) -> None:
    url = postgres.create_database("migrate_together")

    async def body() -> list[int]:
        return list(await asyncio.gather(*(migrate_postgres(url) for _ in range(4))))

    assert asyncio.run(body()) == [len(PG_MIGRATIONS)] * 4
    with psycopg.connect(url) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [
            (len(PG_MIGRATIONS),)
        ]
    assert asyncio.run(migrate_postgres(url)) == len(PG_MIGRATIONS)  # nothing left to do


def test_a_newer_schema_is_refused_untouched(postgres: Postgres) -> None:
    from syncoxide.errors import ConfigError

    url = postgres.create_database("from_the_future")
    asyncio.run(migrate_postgres(url))
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("UPDATE schema_version SET version = 999")
    with pytest.raises(ConfigError, match="newer syncoxide"):
        asyncio.run(migrate_postgres(url))
    with psycopg.connect(url) as db:
        assert db.execute("SELECT version FROM schema_version").fetchone() == (999,)


def test_one_store_serves_each_event_loop_that_calls_it(postgres: Postgres) -> None:
    """As SQLite's does: the CLI runs each step in its own loop, a test client in another."""
    url = postgres.create_database("two_loops")
    asyncio.run(migrate_postgres(url))
    store = PostgresMetadataStore(url)
    made = asyncio.run(store.create_user("ada", "Ada", None, 1))  # this loop closes here

    async def later() -> str | None:
        found = await store.user_by_id(made.id)
        await store.close()
        return found.name if found else None

    assert asyncio.run(later()) == "ada"
    gc.collect()  # the first loop's pool went with its loop
    with psycopg.connect(url) as db:
        left = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'two_loops'"
            " AND pid <> pg_backend_pid()"
        ).fetchone()
    assert left == (0,)


LOOPS = 30


def _connections_to(url: str, database: str) -> int:
    with psycopg.connect(url) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_many_loops_on_their_own_threads_leave_no_connections(postgres: Postgres) -> None:
    """A test client runs each request on a thread and loop of its own: each loop's pool and
    each thread's connection go when they end, not when the garbage collector next runs."""
    url = postgres.create_database("many_loops")
    asyncio.run(migrate_postgres(url))
    store = PostgresMetadataStore(url)
    database = PostgresDatabase(url)
    made = asyncio.run(store.create_user("ada", "Ada", None, 1))
    gc.disable()  # the pools must close on their own, not by being collected
    try:

        async def request() -> None:
            assert await store.user_by_id(made.id) is not None
            assert database.execute("SELECT count(*) FROM users").one() == (1,)

        for _ in range(LOOPS):
            worker = threading.Thread(target=asyncio.run, args=(request(),))
            worker.start()
            worker.join()
        assert store.open_pools == 0
        assert database.open_connections == 0
        assert _connections_to(url, "many_loops") == 0
    finally:
        gc.enable()
        database.close()


# Closing a loop by hand leaves the pool's worker tasks pending; Python reports each as it goes.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_loop_closed_by_hand_leaves_its_pool_to_the_next(postgres: Postgres) -> None:
    """A loop closed without ``shutdown_asyncgens`` cannot close its pool: the store shuts
    that pool's connections the next time it opens one, so they do not pile up."""
    url = postgres.create_database("closed_by_hand")
    asyncio.run(migrate_postgres(url))
    store = PostgresMetadataStore(url)
    gc.disable()
    try:
        for _ in range(LOOPS):
            loop = asyncio.new_event_loop()
            assert loop.run_until_complete(store.user_by_name("nobody")) is None
            loop.close()
            assert store.open_pools == 0
        assert _connections_to(url, "closed_by_hand") <= 1
    finally:
        gc.enable()
