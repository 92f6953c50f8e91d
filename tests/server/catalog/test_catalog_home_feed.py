"""A refresh of server storage from the storage change feed: only the paths it names are
looked at, and the index ends equal to what a full listing gives.

To show the feed alone does the work, on-write updates are switched off
(``_without_on_write``): changes reach the index only through the refresh."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncoxide.catalog.model import HOME
from syncoxide.catalog.refresh import FEED_PATHS, FEED_QUIET, LISTED, RefreshReport
from syncoxide.errors import SyncoxideError
from syncoxide.server.files.change_feed import KEPT_PATHS
from syncoxide.server.files.change_positions import ProcessPositions
from tests.server.catalog.catalog_world import ALICE, BOB, CatalogWorld
from tests.server.catalog.conftest import NewWorld


@pytest.fixture
def world(new_world: NewWorld, tmp_path: Path) -> CatalogWorld:
    return _without_on_write(new_world(tmp_path))


def _without_on_write(world: CatalogWorld) -> CatalogWorld:
    world.files.changes._listeners.remove(
        (world.catalog.home.queue, False)
    )  # (listener, everywhere)
    return world


async def _refresh(world: CatalogWorld, user: int = ALICE) -> RefreshReport:
    [home] = await world.catalog.refresh(user, HOME)
    assert home.report is not None, home.error
    return home.report


def test_adds_moves_and_deletes_come_from_the_feed_alone(world: CatalogWorld) -> None:
    async def run() -> None:
        await world.put("keep/a.txt", b"a")
        await world.put("old/b.txt", b"b")
        await world.put("old/deep/c.txt", b"c")
        await world.put("gone.txt", b"g")
        assert (await _refresh(world)).how == LISTED  # no position yet: everything once
        await world.put("new/d.txt", b"d")
        world.files.move(ALICE, "old", "moved")
        await world.files.delete(ALICE, "gone.txt", recursive=False)
        await world.put("keep/a.txt", b"changed")
        report = await _refresh(world)
        assert report.how == FEED_PATHS and report.entries == 0  # nothing listed
        assert (report.upserts, report.removals) == (7, 5)
        await world.index_matches_listing()
        assert [e.path for e in await world.catalog.search(ALICE, "c", 10)] == ["moved/deep/c.txt"]

    asyncio.run(run())


def test_a_quiet_feed_looks_at_nothing_and_other_users_changes_are_not_ours(
    world: CatalogWorld,
) -> None:
    async def run() -> None:
        await world.put("a.txt", b"a")
        await _refresh(world)
        await world.put("theirs.txt", b"b", user=BOB)
        assert await _refresh(world) == RefreshReport(HOME, FEED_QUIET)
        await world.index_matches_listing()

    asyncio.run(run())


def test_a_restart_or_too_many_changes_list_everything(world: CatalogWorld) -> None:
    async def run() -> None:
        await world.put("a.txt", b"a")
        await _refresh(world)
        world.catalog.feed = world.start_feed(ProcessPositions())  # the server started again
        await world.put("b.txt", b"b")
        report = await _refresh(world)
        assert (report.how, report.upserts, report.entries) == (LISTED, 1, 2)
        world.files.mkdir(ALICE, "many")
        for number in range(KEPT_PATHS):  # more changes than the feed keeps
            world.files.mkdir(ALICE, f"many/{number}")
        assert (await _refresh(world)).how == LISTED
        assert (await _refresh(world)).how == FEED_QUIET
        await world.index_matches_listing()

    asyncio.run(run())


_NAMES = ("a.txt", "b/c.pdf", "b/d e.jpg", "f/g/h.md", "ünï.txt", "b", "f/g")
_OPS = st.lists(
    st.tuples(
        st.sampled_from(("write", "move", "delete", "mkdir", "refresh")),
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
def test_a_refresh_from_the_feed_equals_a_full_rescan(
    tmp_path_factory: pytest.TempPathFactory,
    new_world: NewWorld,
    ops: list[tuple[str, str, str, bytes]],
) -> None:
    world = _without_on_write(new_world(tmp_path_factory.mktemp("feed")))

    async def run() -> None:
        await _refresh(world)
        for op, path, other, data in ops:
            try:
                if op == "write":
                    await world.put(path, data)
                elif op == "move":
                    world.files.move(ALICE, path, other)
                elif op == "delete":
                    await world.files.delete(ALICE, path, recursive=True)
                elif op == "mkdir":
                    world.files.mkdir(ALICE, path)
                else:
                    assert (await _refresh(world)).how in (FEED_PATHS, FEED_QUIET)
            except SyncoxideError:
                pass  # refused (a folder in the way, a missing source): nothing changed
        assert (await _refresh(world)).how in (FEED_PATHS, FEED_QUIET)
        await world.index_matches_listing()

    asyncio.run(run())
