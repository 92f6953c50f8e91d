"""Deleting a connection drops what the catalog kept of it in the same request: its entries,
stars, activity, staleness setting and feed position. A new connection given the same name
starts empty, on SQLite and on PostgreSQL alike; the server's own storage is never dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.catalog.port import Activity
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.storage.postgres import migrate_postgres
from tests.server.accountshares.shares_world import Person, World
from tests.server.automation.provider_world import OwnDav, connect, own_dav
from tests.server.scale.services import Postgres
from tests.server.signin import add_user, services

CATALOG = "/api/v1/catalog"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    if request.param == "postgresql":
        server: Postgres = request.getfixturevalue("postgres")
        url = server.create_database(f"dropped_{tmp_path.name}".lower()[:60])
        asyncio.run(migrate_postgres(url))
        monkeypatch.setenv("SYNCOXIDE_DATABASE", url)
    # No lifespan (a TestClient outside ``with``), as links_world does: the PostgreSQL pool
    # opened by these requests' loop is not closed on another one that has ended.
    data = tmp_path / "data"
    data.mkdir()
    app = create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))
    add_user(app, "alice")
    user = asyncio.run(services(app).store.user_by_name("alice"))
    assert user is not None
    secret, _ = asyncio.run(services(app).accounts.create_token(user, "test", None))
    yield World(app, {"alice": Person("alice", user.id, TestClient(app), str(secret))})


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as server:
        yield server


def _ok(answer: Any) -> Any:
    assert answer.is_success, answer.text
    return answer.json() if answer.status_code != 204 else None


def _seen(alice: Person) -> dict[str, Any]:
    """Everything the catalog shows alice of a connection named ``nas``."""
    sources = _ok(alice.get(f"{CATALOG}/sources"))["sources"]
    staleness = _ok(alice.get(f"{CATALOG}/staleness"))["connections"]
    return {
        "search": [e["location"] for e in _ok(alice.get(f"{CATALOG}/search",
                                                        params={"q": "report"}))["entries"]],
        "starred": [e["location"] for e in _ok(alice.get(f"{CATALOG}/starred"))["entries"]],
        "recent": [e["location"] for e in _ok(alice.get(f"{CATALOG}/recent"))["entries"]],
        "state": [s["state"] for s in sources if s["source"] == "nas"],
        "hours": [c["hours"] for c in staleness if c["source"] == "nas"],
    }  # fmt: skip


def test_a_new_connection_of_a_deleted_ones_name_inherits_nothing(
    world: World, dav: OwnDav
) -> None:
    alice = world["alice"]
    (dav.root / "report.pdf").write_bytes(b"quarterly")
    first = connect(alice, "nas", dav)
    _ok(alice.post(f"{CATALOG}/refresh", json={"source": "nas"}))
    _ok(alice.call("PUT", f"{CATALOG}/star", json={"location": "nas:report.pdf",
                                                   "starred": True}))  # fmt: skip
    _ok(alice.call("PUT", f"{CATALOG}/staleness", json={"source": "nas", "hours": 2}))
    # Files of a connection enter Recent when restored from its history; recorded directly.
    catalog = world.app.state.catalog
    asyncio.run(catalog.store.record(alice.user_id, Activity("nas", "report.pdf", "opened", 1)))
    before = _seen(alice)
    assert before == {"search": ["nas:report.pdf"], "starred": ["nas:report.pdf"],
                      "recent": ["nas:report.pdf"], "state": ["current"], "hours": [2]}  # fmt: skip

    assert alice.call("DELETE", f"/api/v1/connections/{first['id']}").status_code == 204
    assert asyncio.run(catalog.store.fingerprints(alice.user_id, "nas")) == {}
    assert asyncio.run(catalog.store.source_state(alice.user_id, "nas")) is None

    connect(alice, "nas", dav)
    assert _seen(alice) == {"search": [], "starred": [], "recent": [], "state": ["never"],
                            "hours": [None]}  # fmt: skip
    _ok(alice.post(f"{CATALOG}/refresh", json={"source": "nas"}))
    assert _seen(alice) == {"search": ["nas:report.pdf"], "starred": [], "recent": [],
                            "state": ["current"], "hours": [None]}  # fmt: skip


def test_deleting_a_connection_to_ones_own_storage_keeps_its_index(world: World) -> None:
    alice = world["alice"]
    stored = alice.call("PUT", "/api/v1/storage/content", params={"path": "report.txt"},
                        content=b"mine")  # fmt: skip
    assert stored.status_code == 200, stored.text
    _ok(alice.call("PUT", f"{CATALOG}/star", json={"location": "home:report.txt",
                                                   "starred": True}))  # fmt: skip
    own = _ok(alice.post("/api/v1/connections", json={"name": "mine", "kind": "home",
                                                      "options": {}}))  # fmt: skip
    assert alice.call("DELETE", f"/api/v1/connections/{own['id']}").status_code == 204
    assert _ok(alice.get(f"{CATALOG}/starred"))["entries"][0]["location"] == "home:report.txt"
    found = _ok(alice.get(f"{CATALOG}/search", params={"q": "report"}))["entries"]
    assert [e["location"] for e in found] == ["home:report.txt"]
