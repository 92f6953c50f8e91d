"""Search answers only from places the caller reaches: never another account's files, never
a deleted connection's; and each place says how current its part of the index is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.testclient import TestClient

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry
from syncoxide.catalog.port import SourceState
from syncoxide.providers.contract import Entry, PrunePredicate
from syncoxide.providers.memory import MemoryProvider
from syncoxide.server.rules.store import Connection
from tests.server.links.links_world import make_world
from tests.server.signin import services, signed_in_client

FILES, STORAGE = "/api/v1/catalog", "/api/v1/storage"


def _user_id(app: object, name: str) -> int:
    found = asyncio.run(services(app).store.user_by_name(name))  # type: ignore[arg-type]
    assert found is not None
    return found.id


def _connect(app: object, user_id: int, name: str) -> Connection:
    unchecked = Connection(0, user_id, name, "webdav", {"url": "https://dav.example"}, {},
                           "unchecked", "", 0, None)  # fmt: skip
    return asyncio.run(app.state.rules.store.add_connection(unchecked))  # type: ignore[attr-defined]


def _index(app: object, user_id: int, source: str, *paths: str) -> None:
    changes = IndexChanges(upserts=tuple(CatalogEntry(source, p, size=1) for p in paths))
    asyncio.run(app.state.catalog.store.apply(user_id, source, changes))  # type: ignore[attr-defined]


def test_search_never_answers_with_another_accounts_files(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    bob, csrf = signed_in_client(world.app, "bob")
    bob.headers["X-CSRF-Token"] = csrf
    alice = world.owner
    alice_id, bob_id = _user_id(world.app, "alice"), _user_id(world.app, "bob")
    assert bob.put(f"{STORAGE}/content", params={"path": "secret plan.txt"},
                   content=b"b").status_code == 200  # fmt: skip
    assert alice.put(f"{STORAGE}/content", params={"path": "my plan.txt"},
                     content=b"a").status_code == 200  # fmt: skip
    for user_id in (alice_id, bob_id):  # both name a connection alike: still apart
        _connect(world.app, user_id, "nas")
    _index(world.app, bob_id, "nas", "bobs/plan.doc")
    _index(world.app, alice_id, "nas", "alices/plan.doc")

    for query in ("plan", "plan in:nas", "plan in:home", "secret", "bobs", '"bobs"', "*"):
        found = alice.get(f"{FILES}/search", params={"q": query}).json()["entries"]
        assert all(not e["path"].startswith(("secret", "bobs")) for e in found), (query, found)
    found = alice.get(f"{FILES}/search", params={"q": "plan"}).json()["entries"]
    assert sorted(e["location"] for e in found) == ["home:my plan.txt", "nas:alices/plan.doc"]


def test_a_deleted_connections_entries_are_never_shown(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    alice, alice_id = world.owner, _user_id(world.app, "alice")
    gone = _connect(world.app, alice_id, "old-nas")
    _index(world.app, alice_id, "old-nas", "report.pdf")
    assert len(alice.get(f"{FILES}/search", params={"q": "report"}).json()["entries"]) == 1
    assert alice.delete(f"/api/v1/connections/{gone.id}").status_code == 204
    assert alice.get(f"{FILES}/search", params={"q": "report"}).json()["entries"] == []
    in_it = alice.get(f"{FILES}/search", params={"q": "report in:old-nas"}).json()["entries"]
    assert in_it == []


def test_each_place_says_whether_its_index_is_never_read_stale_or_current(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    alice, alice_id = world.owner, _user_id(world.app, "alice")
    for name in ("nas", "bucket"):
        _connect(world.app, alice_id, name)
    store = world.app.state.catalog.store
    asyncio.run(store.save_source_state(alice_id, SourceState("nas", "", world.clock())))

    def states() -> dict[str, str]:
        answer = alice.get(f"{FILES}/sources").json()["sources"]
        return {s["source"]: s["state"] for s in answer}

    assert states() == {"home": "current", "bucket": "never", "nas": "current"}
    world.clock.now += 2 * 86_400
    assert states() == {"home": "current", "bucket": "never", "nas": "stale"}


def test_staleness_is_the_servers_day_unless_the_user_sets_their_own(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    alice, alice_id = world.owner, _user_id(world.app, "alice")
    bob, csrf = signed_in_client(world.app, "bob")
    bob.headers["X-CSRF-Token"] = csrf
    bob_id = _user_id(world.app, "bob")
    for user_id in (alice_id, bob_id):
        for name in ("nas", "bucket"):
            _connect(world.app, user_id, name)
            state = SourceState(name, "", world.clock())
            asyncio.run(world.app.state.catalog.store.save_source_state(user_id, state))
    world.clock.now += 3 * 3600

    def states(person: TestClient) -> dict[str, tuple[str, float]]:
        answer = person.get(f"{FILES}/sources").json()["sources"]
        return {s["source"]: (s["state"], s["stale_after_hours"]) for s in answer[1:]}

    assert states(alice) == {"nas": ("current", 24), "bucket": ("current", 24)}
    every = alice.put(f"{FILES}/staleness", json={"source": "", "hours": 2})
    assert every.status_code == 200, every.text
    one = alice.put(f"{FILES}/staleness", json={"source": "nas", "hours": 12}).json()
    assert (one["server_hours"], one["every_connection_hours"]) == (24, 2)
    assert {c["source"]: (c["hours"], c["effective_hours"]) for c in one["connections"]} == {
        "nas": (12, 12), "bucket": (None, 2)}  # fmt: skip
    assert states(alice) == {"nas": ("current", 12), "bucket": ("stale", 2)}
    assert states(bob) == {"nas": ("current", 24), "bucket": ("current", 24)}  # alice's own

    assert alice.put(f"{FILES}/staleness", json={"source": "", "hours": None}).is_success
    assert alice.get(f"{FILES}/staleness").json()["every_connection_hours"] is None
    assert states(alice) == {"nas": ("current", 12), "bucket": ("current", 24)}


def test_a_bad_staleness_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    alice = world.owner
    _connect(world.app, _user_id(world.app, "alice"), "nas")
    for body, status in (
        ({"source": "nas", "hours": 0}, 422),
        ({"source": "nas", "hours": 0.001}, 422),  # under a minute
        ({"source": "nas", "hours": 10_000}, 422),  # over a year
        ({"source": "nas", "hours": "2"}, 422),
        ({"source": "home", "hours": 2}, 400),  # never stale: indexed as it is written
        ({"source": "elsewhere", "hours": 2}, 404),
        ({"source": "nas"}, 422),
    ):
        answer = alice.put(f"{FILES}/staleness", json=body)
        assert answer.status_code == status, (body, answer.text)
    nan = alice.put(f"{FILES}/staleness", content=b'{"source": "nas", "hours": NaN}',
                    headers={"Content-Type": "application/json"})  # fmt: skip
    assert nan.status_code in (400, 422), nan.text
    assert alice.get(f"{FILES}/staleness").json()["connections"] == [
        {"source": "nas", "hours": None, "effective_hours": 24}]  # fmt: skip


class _GatedProvider(MemoryProvider):
    """A real in-memory provider whose listing waits until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate, self.listing = asyncio.Event(), asyncio.Event()

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        self.listing.set()
        await self.gate.wait()
        async for page in super().list_tree(prune):
            yield page


def test_a_place_being_refreshed_says_so_until_the_refresh_ends(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    alice_id = _user_id(world.app, "alice")
    _connect(world.app, alice_id, "nas")
    catalog = world.app.state.catalog
    gated = _GatedProvider()
    catalog.connections.provider = lambda _connection, _root: gated

    async def refreshing() -> dict[str, tuple[str, bool]]:
        return {c.source: (c.state, c.refreshing) for c in await catalog.coverage(alice_id)}

    async def run() -> None:
        assert await refreshing() == {"home": ("current", False), "nas": ("never", False)}
        under_way = asyncio.ensure_future(catalog.refresh(alice_id, "nas"))
        await gated.listing.wait()
        assert await refreshing() == {"home": ("current", False), "nas": ("never", True)}
        gated.gate.set()
        [report] = await under_way
        assert report.error == ""
        assert await refreshing() == {"home": ("current", False), "nas": ("current", False)}

    asyncio.run(run())
