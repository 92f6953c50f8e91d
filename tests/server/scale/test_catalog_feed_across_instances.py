"""With several instances, a refresh of a user's own files on one instance follows the changes
made through another (relayed on a real Redis, then NATS), instead of listing the storage; a
change lost on the bus makes the next refresh list everything. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from syncoxide.catalog.model import HOME
from syncoxide.catalog.refresh import FEED_PATHS, LISTED, RefreshReport
from syncoxide.errors import TransportError
from syncoxide.server.app import create_app
from syncoxide.server.bus.broadcast import Broadcast
from syncoxide.server.bus.choose import open_bus
from syncoxide.server.bus.port import Message
from syncoxide.server.config import ServerConfig
from syncoxide.server.deployment.settings import Target
from syncoxide.server.files.change_positions import SharedPositions
from syncoxide.server.files.change_relay import FileChangeRelay
from syncoxide.server.storage.postgres import migrate_postgres
from syncoxide.server.storage.postgres_database import PostgresDatabase
from tests.server.catalog.catalog_world import ALICE, CatalogWorld
from tests.server.databases import LANGUAGE_ORDER
from tests.server.links.links_world import ROOT
from tests.server.scale.services import Postgres

pytestmark = pytest.mark.live


@pytest.fixture(params=["sqlite", "postgresql"])
def first(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CatalogWorld]:
    """The first instance's files and catalog, on SQLite or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield CatalogWorld(tmp_path)
        return
    server: Postgres = request.getfixturevalue("postgres")
    url = server.create_database(f"feed_{uuid.uuid4().hex[:12]}", LANGUAGE_ORDER)
    asyncio.run(migrate_postgres(url))
    handle = PostgresDatabase(url)
    yield CatalogWorld(tmp_path, handle)
    handle.close()


def _feed_alone(world: CatalogWorld) -> CatalogWorld:
    """No on-write updates of the index: changes reach it only through a refresh."""
    world.files.changes._listeners.remove((world.catalog._queue, False))  # (listener, everywhere)
    return world


@asynccontextmanager
async def _relayed(url: str, worlds: list[CatalogWorld]) -> AsyncIterator[list[Broadcast]]:
    """Each world's changes relayed to the others on the bus, as relays.py wires them."""
    kind = "nats" if url.startswith("nats://") else "redis"
    channel = f"test.{uuid.uuid4().hex}"  # one per test: the session's bus is shared
    async with AsyncExitStack() as stack:
        broadcasts = []
        for number, world in enumerate(worlds):
            shared = open_bus(Target(kind, url, "test"))
            assert shared is not None
            stack.push_async_callback(shared.aclose)
            relay = FileChangeRelay(
                Broadcast(shared.bus, channel, f"i{number}"), world.files.changes
            )
            relay.broadcast.on_lost(world.feed.lost_track)
            await relay.start()
            stack.push_async_callback(relay.stop)
            broadcasts.append(relay.broadcast)
        yield broadcasts


async def _until(condition: Callable[[], object], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time given"
        await asyncio.sleep(0.01)


async def _refresh(world: CatalogWorld) -> RefreshReport:
    [home] = await world.catalog.refresh(ALICE, HOME)
    assert home.report is not None, home.error
    return home.report


def test_a_refresh_on_one_instance_follows_the_changes_made_on_another(
    first: CatalogWorld, tmp_path: Path, bus_url: str
) -> None:
    first.feed = first.catalog.feed = first.start_feed(SharedPositions(first.db))
    second = CatalogWorld(tmp_path, beside=first, positions=SharedPositions(first.db))
    _feed_alone(first), _feed_alone(second)

    async def run() -> None:
        async with _relayed(bus_url, [first, second]) as (sent, _):
            await first.put("keep/a.txt", b"a")
            await first.put("old/b.txt", b"b")
            await first.put("gone.txt", b"g")
            assert (await _refresh(second)).how == LISTED  # no position yet: everything once
            await first.put("new/d.txt", b"d")
            first.files.move(ALICE, "old", "moved")
            await first.files.delete(ALICE, "gone.txt", recursive=False)
            await first.put("keep/a.txt", b"changed")
            await _until(lambda: second.feed.token(ALICE) == first.feed.token(ALICE))
            report = await _refresh(second)
            assert report.how == FEED_PATHS and report.entries == 0  # nothing listed
            assert (report.upserts, report.removals) == (5, 3)
            await second.index_matches_listing()
            # The refresh's position is good on the first instance too.
            await first.put("late.txt", b"l")
            report = await _refresh(first)
            assert (report.how, report.upserts) == (FEED_PATHS, 1)
            await first.index_matches_listing()
            # A change the bus lost (its publish failed): the second instance learns of the
            # loss from the next message and cannot tell what changed.
            publish = sent.bus.publish

            async def dropped(channel: str, message: Message) -> None:
                sent.bus.publish = publish  # type: ignore[method-assign]
                raise TransportError("the bus is out (a test)")

            sent.bus.publish = dropped  # type: ignore[method-assign]
            await first.put("lost.txt", b"l")
            await first.put("after-the-loss.txt", b"x")
            await _until(lambda: second.feed.token(ALICE) == first.feed.token(ALICE))
            assert (await _refresh(second)).how == LISTED
            await second.index_matches_listing()

    asyncio.run(run())


def test_the_app_follows_the_feed_with_a_bus(tmp_path: Path, redis_url: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(f'[deployment]\nbus = "{redis_url}"\n')
    app = create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))
    assert app.state.services.shared_bus is not None
    assert app.state.catalog.feed is app.state.storage_changes
    assert isinstance(app.state.storage_changes.positions, SharedPositions)
