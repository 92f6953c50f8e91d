"""The PostgreSQL catalog store answers exactly as the SQLite one: the same entries, in the
same order, for random names and random searches in the query language (words, phrases,
exclusions, type:, ext:, in:, path:, size:, after:, before:, is:), and the same stars,
recent files, analytics and moves."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import DIR, FILE, CatalogEntry
from syncoxide.catalog.port import Activity, SourceState
from syncoxide.catalog.search import parse_search
from syncoxide.server.catalog.postgres import PostgresCatalogStore
from syncoxide.server.catalog.sqlite import SqliteCatalogStore
from syncoxide.server.datadir import migrate
from syncoxide.server.storage.database import Database, sqlite_at
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.databases import LANGUAGE_ORDER
from tests.server.scale.services import Postgres

DAY_NS = 86_400 * 10**9
_users = itertools.count()
Stores = tuple[SqliteCatalogStore, PostgresCatalogStore, Database, Database]

_WORDS = ("beach", "Beach", "bé", "beta", "2024", "plan", "plan's", "a-b", "x_y", "ünï", "NEAR")
_SEPARATORS = (" ", ".", "-", "_", "'", '"', "")
_EXTENSIONS = (".jpg", ".pdf", ".txt", ".PDF", "", ".tar.gz")
_MIMES = ("image/jpeg", "application/pdf", "text/plain", "video/mp4", "")
_QUERY_PARTS = (
    *(w.lower()[:3] for w in _WORDS),
    *_WORDS,
    '"beach plan"', '"plan beach"', "-plan", "-bé", '-"a b"', "type:image", "type:document",
    "type:text/plain", "ext:pdf", "ext:GZ", "in:home", "in:nas", "path:photos",
    "path:photos/2024", "size:>1kB", "size:<100", "after:2023-01-01", "before:2023-06-01",
    "is:file", "is:folder", '"..."',
)  # fmt: skip


@pytest.fixture
def stores(postgres: Postgres, tmp_path: Path) -> Iterator[Stores]:
    lite = sqlite_at(tmp_path / "syncoxide.sqlite3")
    migrate(lite.connection)
    url = postgres.create_database(f"catalog_parity_{next(_users)}", LANGUAGE_ORDER)
    asyncio.run(migrate_postgres(url))
    pg = PostgresDatabase(url)
    yield SqliteCatalogStore(lite), PostgresCatalogStore(pg), lite, pg
    lite.close()
    pg.close()


def _user(database: Database, name: str) -> int:
    return database.insert(
        "INSERT INTO users (name, display_name, created_at) VALUES (?, ?, 0)", (name, name)
    )


_name = st.builds(
    lambda words, seps, ext: "".join(w + s for w, s in zip(words, seps, strict=False)) + ext,
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3),
    st.lists(st.sampled_from(_SEPARATORS), min_size=3, max_size=3),
    st.sampled_from(_EXTENSIONS),
).filter(lambda name: name.strip() != "" and "/" not in name)
_folder = st.sampled_from(("", "photos", "photos/2024", "photos/2024 beach", "docs/plan", "n"))
_entry = st.builds(
    lambda folder, name, kind, size, day, mime: CatalogEntry(
        "home", f"{folder}/{name}" if folder else name, kind, size, day * DAY_NS, "", mime
    ),
    _folder, _name, st.sampled_from((FILE, FILE, DIR)), st.integers(0, 5000),
    st.integers(19_000, 19_600), st.sampled_from(_MIMES),
)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(_entry, min_size=1, max_size=12, unique_by=lambda e: e.path),
    queries=st.lists(
        st.lists(st.sampled_from(_QUERY_PARTS), min_size=1, max_size=3), min_size=4, max_size=8
    ),
)
def test_random_searches_answer_alike_on_both_databases(
    stores: Stores, entries: list[CatalogEntry], queries: list[list[str]]
) -> None:
    lite_store, pg_store, lite, pg = stores
    name = f"u{next(_users)}"
    lite_user, pg_user = _user(lite, name), _user(pg, name)
    elsewhere = [CatalogEntry("nas", "n/" + e.path, e.kind, e.size, e.mtime_ns) for e in entries]
    changes = IndexChanges(upserts=(*entries, *elsewhere[::2]))

    async def run() -> None:
        await lite_store.apply(lite_user, "home", changes)
        await pg_store.apply(pg_user, "home", changes)
        for parts in queries:
            query = parse_search(" ".join(parts))
            for limit in (3, 50):
                want = await lite_store.search(lite_user, query, limit)
                got = await pg_store.search(pg_user, query, limit)
                assert got == want, (parts, limit)

    asyncio.run(run())


def test_stars_recent_analytics_and_moves_answer_alike(stores: Stores) -> None:
    lite_store, pg_store, lite, pg = stores
    users = (_user(lite, "alice"), _user(pg, "alice"))
    entries = (
        CatalogEntry("home", "photos", DIR),
        CatalogEntry("home", "photos/a.jpg", FILE, 900, 19_500 * DAY_NS, "h1", "image/jpeg"),
        CatalogEntry("home", "photos/b.jpg", FILE, 900, 19_000 * DAY_NS, "h1", "image/jpeg"),
        CatalogEntry("nas", "copy/a.jpg", FILE, 900, 10 * DAY_NS, "h2", "image/jpeg"),
        CatalogEntry("nas", "big.iso", FILE, 10**12, 19_600 * DAY_NS, "h3", ""),
    )
    now = 19_601 * 86_400

    async def answers(store: SqliteCatalogStore | PostgresCatalogStore, user: int) -> list[object]:
        await store.apply(user, "home", IndexChanges(upserts=entries))
        await store.set_star(user, "home", "photos/a.jpg", starred=True, now=5)
        await store.set_star(user, "home", "photos/a.jpg", starred=True, now=6)  # once
        for at, path in enumerate(("photos/a.jpg", "photos/b.jpg", "photos/a.jpg")):
            await store.record(user, Activity("home", path, "changed", at))
        await store.move_subtree(user, "home", "photos", "pictures")
        return [
            await store.starred(user, 10),
            await store.recent(user, 10),
            await store.usage(user),
            await store.usage_by_age(user, now),
            await store.largest(user, 2),
            await store.duplicates(user, 10),
            await store.same_name_and_size(user, 10),
            await store.children(user, "home", "pictures", after="", limit=10),
            await store.search(user, parse_search("pictures"), 10),
            await store.search(user, parse_search("photos"), 10),
            sorted(await store.fingerprints(user, "home", "pictures")),
        ]

    async def run() -> None:
        want = await answers(lite_store, users[0])
        got = await answers(pg_store, users[1])
        assert got == want
        assert [e.path for e in want[0]] == ["pictures/a.jpg"]  # type: ignore[attr-defined]
        assert want[9] == []  # the old folder's words went with the move

    asyncio.run(run())


def test_staleness_settings_and_a_dropped_source_answer_alike(stores: Stores) -> None:
    lite_store, pg_store, lite, pg = stores
    users = (_user(lite, "alice"), _user(pg, "alice"))

    async def answers(store: SqliteCatalogStore | PostgresCatalogStore, user: int) -> list[object]:
        await store.set_staleness(user, "", 7200)
        await store.set_staleness(user, "nas", 60)
        await store.set_staleness(user, "nas", 600)  # replaces
        await store.set_staleness(user, "gone", 60)
        await store.set_staleness(user, "", None)
        await store.apply(user, "gone", IndexChanges(upserts=(CatalogEntry("gone", "a.txt"),)))
        await store.set_star(user, "gone", "a.txt", starred=True, now=5)
        await store.record(user, Activity("gone", "a.txt", "opened", 5))
        await store.save_source_state(user, SourceState("gone", "cursor-1", 5))
        await store.drop_source(user, "gone")
        # The same file indexed again under that name carries nothing of the dropped one.
        await store.apply(user, "gone", IndexChanges(upserts=(CatalogEntry("gone", "a.txt"),)))
        return [
            await store.staleness(user),
            await store.starred(user, 10),
            await store.recent(user, 10),
            await store.source_state(user, "gone"),
        ]

    async def run() -> None:
        want = await answers(lite_store, users[0])
        assert want == [{"nas": 600}, [], [], None]
        assert await answers(pg_store, users[1]) == want

    asyncio.run(run())
