"""Your own files as a provider inside the server: the conformance suite in-process, and a sync
rule from the FAKE Dropbox server into them, run by the server with no browser open."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.providers.contract import Provider
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.testing.provider_conformance import CHECKS
from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.fakes.serving import served
from tests.server.rules.rules_world import ROOT, connect, rules_client, wait_for_runs
from tests.server.signin import add_user, services

pytestmark = pytest.mark.live

_roots = itertools.count()


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8")  # the FAKE Dropbox's address


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Starlette:
    data = tmp_path_factory.mktemp("own-files") / "data"
    made = create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))
    add_user(made, "alice")
    return made


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_own_files_provider_conforms(check, app: Starlette) -> None:
    user = asyncio.run(services(app).store.user_by_name("alice"))
    assert user is not None

    async def make() -> Provider:
        return OwnFilesProvider(app.state.files, user.id, f"root{next(_roots)}")

    asyncio.run(check(make))


@pytest.fixture()
def dropbox() -> Iterator[str]:
    fake = FakeDropbox()
    for name in ("a.txt", "sub/b.txt"):
        fake.store.put({"path": f"/in/{name}", "mode": "overwrite"}, name.encode() * 100, None)
    with served(fake.faults) as url:
        yield url


def test_a_rule_copies_from_dropbox_into_your_own_files(tmp_path: Path, dropbox: str) -> None:
    with rules_client(tmp_path / "data") as client:
        source = connect(
            client,
            "dbx",
            "dropbox",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
            token_url=f"{dropbox}/oauth2/token",
            api_url=dropbox,
            content_url=dropbox,
        )
        home = connect(client, "home", "home")
        assert home["state"] == "ok"
        body = {
            "source_id": source["id"],
            "source_path": "in",
            "dest_id": home["id"],
            "dest_path": "backup/dropbox",
            "mode": "copy",
            "interval_seconds": 3600,
        }
        rule = client.post("/api/v1/rules", json=body).json()  # a new rule runs at once
        finished = wait_for_runs(client, rule["id"], 1)
        assert finished["status"] == "ok", finished
        _files_are_there(client)


def _files_are_there(client: TestClient) -> None:
    listed = client.get("/api/v1/storage", params={"path": "backup", "recursive": "true"}).json()
    files = {e["path"]: e["sha1"] for e in listed["entries"] if e["kind"] == "file"}
    want = {
        f"backup/dropbox/{name}": hashlib.sha1(name.encode() * 100).hexdigest()
        for name in ("a.txt", "sub/b.txt")
    }
    assert {p: s for p, s in files.items() if not p.split("/")[-1].startswith(".")} == want


def test_search_finds_your_own_files_once_even_with_a_connection_to_them(
    tmp_path: Path,
) -> None:
    with rules_client(tmp_path / "data") as client:
        stored = client.put(
            "/api/v1/storage/content", params={"path": "notes/plan.txt"}, content=b"plan"
        )
        assert stored.status_code == 200
        connect(client, "mine", "home")  # the same storage by name: indexed once, as home
        found = client.get("/api/v1/catalog/search", params={"q": "PLAN"}).json()["entries"]
        assert [(e["location"], e["size"]) for e in found] == [("home:notes/plan.txt", 4)]
