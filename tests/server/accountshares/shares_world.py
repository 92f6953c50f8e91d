"""Accounts on one server (alice, bob, carol by default), each with an API token and an
address, for account-share tests. One test client carries the app's lifespan (so shares are
kept in step by the scheduler); each person's calls carry their own token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.server.accountshares.store import AccountShareStore
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.server.signin import add_user, services

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Person:
    name: str
    user_id: int
    client: TestClient
    token: str

    def call(self, method: str, url: str, **options: Any) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {self.token}", **options.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **options)

    def get(self, url: str, **options: Any) -> httpx2.Response:
        return self.call("GET", url, **options)

    def post(self, url: str, **options: Any) -> httpx2.Response:
        return self.call("POST", url, **options)

    def events(self, kind: str) -> list[dict[str, Any]]:
        found = self.get("/api/v1/events", params={"limit": 500}).json()["events"]
        return [e["payload"] for e in found if e["kind"] == kind]

    def share(self, share_id: int) -> dict[str, Any]:
        answer = self.get(f"/api/v1/account-shares/{share_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@dataclass
class World:
    app: Starlette
    people: dict[str, Person]

    def __getitem__(self, name: str) -> Person:
        return self.people[name]

    def wait_synced(
        self, who: Person, share_id: int, runs_after: int, timeout: float = 60
    ) -> dict[str, Any]:
        """The share once a run finished after ``runs_after`` (its ``last_sync_at``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            share = who.share(share_id)
            done = share["last_sync_at"] is not None and share["last_sync_at"] > runs_after
            if done and share["sync_status"] not in ("running", "idle"):
                return dict(share)
            time.sleep(0.2)
        raise AssertionError(f"share {share_id} did not finish a run: {who.share(share_id)}")

    def wait_idle(self, share_id: int, timeout: float = 30) -> None:
        """Until the share neither runs nor is due. A run's own writes into a storage place
        mark the share changed, so a second run may follow the one ``wait_synced`` saw; a
        test that pretends a run is under way must not meet a real one."""
        runner = self.app.state.account_shares.scheduler.runner
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            share = runner.store.get(share_id)
            assert share is not None
            if share_id not in runner.running and share.next_sync_at > runner.clock():
                return
            time.sleep(0.05)
        raise AssertionError(f"share {share_id} kept running or due: {runner.store.get(share_id)}")


@contextmanager
def shares_world(
    data: Path,
    settings: str = "",
    names: tuple[str, ...] = ("alice", "bob", "carol"),
) -> Iterator[World]:
    data.mkdir(parents=True, exist_ok=True)
    if settings:
        (data / "settings.toml").write_text(settings)
    app = create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))
    store: AccountShareStore = app.state.account_shares.store
    people = {}
    with TestClient(app) as client:
        for name in names:
            add_user(app, name)
            user = asyncio.run(services(app).store.user_by_name(name))
            assert user is not None
            secret, _ = asyncio.run(services(app).accounts.create_token(user, "test", None))
            store.set_address(user.id, f"{name}@example.org")
            people[name] = Person(name, user.id, client, str(secret))
        yield World(app, people)
