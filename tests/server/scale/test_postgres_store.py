"""The metadata store on PostgreSQL passes the same conformance checks as SQLite's, and
instances that start together migrate its schema exactly once."""

from __future__ import annotations

import asyncio
import gc
import itertools

import psycopg
import pytest

from syncoxide.server.storage.conformance import METADATA_CHECKS, MetadataCheck
from syncoxide.server.storage.postgres import (
    PG_MIGRATIONS,
    PostgresMetadataStore,
    migrate_postgres,
)
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
