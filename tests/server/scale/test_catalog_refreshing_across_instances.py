"""A refresh of a connection's index under way on one server instance shows as refreshing on
every instance that shares the database, and one asked of another instance meanwhile is not
run twice: two apps on one data directory with a real bus (Redis, then NATS), as two instances
of a deployment (on PostgreSQL with SYNCOXIDE_TEST_DATABASE=postgresql)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from syncoxide.providers.contract import Entry, PrunePredicate
from syncoxide.providers.memory import MemoryProvider
from syncoxide.server.app import create_app
from syncoxide.server.catalog.service import REFRESHING_ELSEWHERE, CatalogService
from syncoxide.server.config import ServerConfig
from syncoxide.server.rules.store import Connection
from tests.server.catalog.test_catalog_search_scope import _GatedProvider
from tests.server.links.links_world import ROOT

pytestmark = pytest.mark.live


def _instance(data: Path) -> Starlette:
    return create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))


def _catalog(app: Starlette) -> CatalogService:
    catalog: CatalogService = app.state.catalog
    return catalog


class _CountingProvider(MemoryProvider):
    def __init__(self) -> None:
        super().__init__()
        self.listings = 0

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        self.listings += 1
        async for page in super().list_tree(prune):
            yield page


def test_a_refresh_on_one_instance_shows_on_the_other_and_is_not_run_twice(
    tmp_path: Path, bus_url: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(f'[deployment]\nbus = "{bus_url}"\n')
    first, second = _instance(data), _instance(data)
    assert first.state.services.instance_id != second.state.services.instance_id
    user = asyncio.run(first.state.services.accounts.add_local_user("alice", "a long password"))
    nas = Connection(0, user.id, "nas", "webdav", {"url": "https://dav.example"}, {},
                     "unchecked", "", 0, None)  # fmt: skip
    asyncio.run(first.state.rules.store.add_connection(nas))
    gated, counting = _GatedProvider(), _CountingProvider()
    _catalog(first).connections.provider = lambda _connection, _root: gated  # type: ignore[union-attr, method-assign]
    _catalog(second).connections.provider = lambda _connection, _root: counting  # type: ignore[union-attr, method-assign]

    async def seen_by(app: Starlette) -> dict[str, tuple[str, bool]]:
        return {c.source: (c.state, c.refreshing) for c in await _catalog(app).coverage(user.id)}

    async def run() -> None:
        for app in (first, second):
            assert (await seen_by(app))["nas"] == ("never", False)
        under_way = asyncio.ensure_future(_catalog(first).refresh(user.id, "nas"))
        await gated.listing.wait()
        for app in (first, second):
            assert (await seen_by(app))["nas"] == ("never", True)
        [elsewhere] = await _catalog(second).refresh(user.id, "nas")
        assert (elsewhere.report, elsewhere.error) == (None, REFRESHING_ELSEWHERE)
        assert counting.listings == 0
        gated.gate.set()
        [report] = await under_way
        assert report.error == ""
        for app in (first, second):
            assert (await seen_by(app))["nas"] == ("current", False)
        [again] = await _catalog(second).refresh(user.id, "nas")
        assert again.error == "" and counting.listings == 1

    asyncio.run(run())
