"""The catalog over the server's own storage: kept current on write, searched safely."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncoxide.catalog.model import HOME
from syncoxide.errors import NotFoundError, SyncoxideError, UsageError
from tests.server.catalog.catalog_world import ALICE, BOB, CatalogWorld
from tests.server.catalog.conftest import NewWorld

HOSTILE_NAMES = (
    "a OR b.txt",
    'he said "hi".txt',
    "NEAR(x y).md",
    "c*d^e.txt",
    "col:umn - minus.txt",
    "drop'); DROP TABLE catalog_entries;--.txt",
)


def test_names_with_fts_operators_and_quotes_are_found_by_their_own_text(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        for number, name in enumerate(HOSTILE_NAMES):
            await world.put(f"odd/{name}", bytes([number]))
        for name in HOSTILE_NAMES:
            found = await world.catalog.search(ALICE, name.rsplit(".", 1)[0], 10)
            assert f"odd/{name}" in [e.path for e in found], name
        for text in ('"', '""', "AND", "*", "NOT x", "NEAR(", "scope:u2", "-", "'"):
            await world.catalog.search(ALICE, text, 10)  # no FTS syntax error escapes
        await world.index_matches_listing()

    asyncio.run(run())


def test_filters_narrow_by_type_size_date_folder_and_provider(world: CatalogWorld) -> None:
    day = 86_400 * 10**9

    async def run() -> None:
        await world.put("photos/beach.jpg", b"x" * 2000, mtime_ns=19_000 * day)
        await world.put("photos/notes.txt", b"x" * 10, mtime_ns=19_500 * day)
        await world.put("docs/beach plan.pdf", b"x" * 5000, mtime_ns=19_500 * day)

        async def paths(text: str) -> list[str]:
            return sorted(e.path for e in await world.catalog.search(ALICE, text, 50))

        assert await paths("beach") == ["docs/beach plan.pdf", "photos/beach.jpg"]
        assert await paths("beach type:image") == ["photos/beach.jpg"]
        assert await paths("type:document") == ["docs/beach plan.pdf", "photos/notes.txt"]
        assert await paths("size:>1kB is:file") == ["docs/beach plan.pdf", "photos/beach.jpg"]
        assert await paths("after:2023-05-01 is:file") == [
            "docs/beach plan.pdf",
            "photos/notes.txt",
        ]
        assert await paths("path:photos") == ["photos/beach.jpg", "photos/notes.txt"]
        assert await paths("beach -plan") == ["photos/beach.jpg"]
        assert await paths('"beach plan"') == ["docs/beach plan.pdf"]
        assert await paths("ext:PDF") == ["docs/beach plan.pdf"]
        assert await paths("bea in:home") == ["docs/beach plan.pdf", "photos/beach.jpg"]
        assert await paths("beach in:elsewhere") == []

    asyncio.run(run())


def test_one_users_search_never_sees_anothers_files(world: CatalogWorld) -> None:
    bob = BOB

    async def run() -> None:
        await world.put("secret plans.txt", b"a")
        await world.put("bobs plans.txt", b"b", user=bob)
        assert [e.path for e in await world.catalog.search(bob, "plans", 10)] == ["bobs plans.txt"]
        assert await world.catalog.search(bob, "secret", 10) == []

    asyncio.run(run())


def test_stars_and_recent_hold_this_users_own_actions(world: CatalogWorld) -> None:
    async def run() -> None:
        await world.put("a.txt", b"1")
        world.clock.now += 10
        await world.put("b.txt", b"2")
        world.clock.now += 10
        await world.put("a.txt", b"3")
        world.clock.now += 10
        world.files.move(ALICE, "b.txt", "moved/b.txt")
        await world.catalog.set_star(ALICE, HOME, "moved/b.txt", True)
        recent = await world.catalog.recent(ALICE, 10)
        assert [(r.entry.path, r.action) for r in recent] == [
            ("moved/b.txt", "moved"),
            ("a.txt", "changed"),
        ]
        assert [e.path for e in await world.catalog.starred(ALICE, 10)] == ["moved/b.txt"]
        world.files.move(ALICE, "moved", "again")
        assert [e.path for e in await world.catalog.starred(ALICE, 10)] == ["again/b.txt"]
        with pytest.raises(NotFoundError):
            await world.catalog.set_star(ALICE, HOME, "nothing-here", True)

    asyncio.run(run())


def test_a_refresh_of_an_index_kept_on_write_changes_nothing(world: CatalogWorld) -> None:
    async def run() -> None:
        await world.put("x/y/z.bin", b"z")
        world.files.mkdir(ALICE, "empty/folder")
        [home] = await world.catalog.refresh(ALICE, HOME)
        assert home.report is not None and (home.report.upserts, home.report.removals) == (0, 0)
        with pytest.raises(NotFoundError):
            await world.catalog.refresh(ALICE, "nowhere")

    asyncio.run(run())


def test_bad_searches_are_usage_errors(world: CatalogWorld) -> None:
    with pytest.raises(UsageError):
        asyncio.run(world.catalog.search(ALICE, "size:huge", 10))


_NAMES = ("a.txt", "b/c.pdf", "b/d e.jpg", "f/g/h.md", "ünï.txt", 'it\'s "q".txt', "b", "f/g")
_OPS = st.lists(
    st.tuples(
        st.sampled_from(("write", "move", "delete", "mkdir")),
        st.sampled_from(_NAMES),
        st.sampled_from(_NAMES),
        st.binary(max_size=8),
    ),
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_OPS)
def test_the_index_equals_a_fresh_listing_after_random_writes_moves_and_deletes(
    tmp_path_factory: pytest.TempPathFactory,
    new_world: NewWorld,
    ops: list[tuple[str, str, str, bytes]],
) -> None:
    world = new_world(tmp_path_factory.mktemp("home"))

    async def run() -> None:
        for op, path, other, data in ops:
            try:
                if op == "write":
                    await world.put(path, data)
                elif op == "move":
                    world.files.move(ALICE, path, other)
                elif op == "delete":
                    await world.files.delete(ALICE, path, recursive=True)
                else:
                    world.files.mkdir(ALICE, path)
            except SyncoxideError:
                pass  # refused (a folder in the way, a missing source): nothing changed
        await world.index_matches_listing()

    asyncio.run(run())
