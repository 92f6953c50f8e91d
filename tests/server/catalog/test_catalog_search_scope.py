"""Search answers only from places the caller reaches: never another account's files, never
a deleted connection's; and each place says how current its part of the index is."""

from __future__ import annotations

import asyncio
from pathlib import Path

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry
from syncoxide.catalog.port import SourceState
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
