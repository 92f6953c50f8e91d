"""Account shares with several instances: a share's run is held under a job lease, so one
instance runs it at a time, and a run whose instance died is taken up once its lease lapses
(not reset by every instance that starts). A real Redis bus turns the leases on; a change
written through another instance reaches the one running a share on it (Redis and NATS)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.changes import FileChange
from tests.server.accountshares.shares_world import Person, World, shares_world
from tests.server.links.links_world import ROOT

BASE = "/api/v1/account-shares"
LEASE_SECONDS = 3


def _put(who: Person, path: str, data: bytes) -> None:
    answer = who.call("PUT", "/api/v1/storage/content", params={"path": path}, content=data)
    assert answer.status_code == 200, answer.text


def _bob_has(world: World, path: str) -> bool:
    return world["bob"].get("/api/v1/storage/content", params={"path": path}).status_code == 200


def test_a_share_held_by_another_instance_waits_then_is_taken_up_when_it_dies(
    tmp_path: Path, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = f'[deployment]\nbus = "{redis_url}"\n'
    with shares_world(tmp_path / "data", settings) as world:
        scheduler = world.app.state.account_shares.scheduler
        assert scheduler.leases is not None, "a bus turns the leases on"
        alice, bob = world["alice"], world["bob"]
        _put(alice, "trip/a.txt", b"first")
        share = alice.post(BASE, json={"to": "bob", "place": "home:trip"}).json()
        assert bob.post(f"{BASE}/{share['id']}/accept", json={"place": "home:in"}).is_success
        first = world.wait_synced(bob, share["id"], 0)
        assert _bob_has(world, "in/a.txt")

        # Another instance is running the share (its row says so, its lease is fresh).
        store, leases, job = (
            world.app.state.account_shares.store,
            scheduler.leases,
            f"share:{share['id']}",
        )
        deadline = time.monotonic() + 10
        while asyncio.run(leases.holder_of(job)) and time.monotonic() < deadline:
            time.sleep(0.05)  # the first run lets its lease go just after saying it is done
        store._db.execute(
            "UPDATE account_shares SET sync_status = 'running' WHERE id = ?", (share["id"],)
        )
        leases._db.execute(
            "INSERT INTO job_leases (job, holder, expires_at) VALUES (?, 'elsewhere', ?)",
            (job, int(time.time()) + LEASE_SECONDS),
        )
        _put(alice, "trip/b.txt", b"while held elsewhere")
        time.sleep(1.5)  # ticks pass: this instance leaves the share to its holder
        assert not _bob_has(world, "in/b.txt")
        assert bob.share(share["id"])["sync_status"] == "running"

        # That instance dies: its lease lapses, and this one runs the share again.
        synced = world.wait_synced(bob, share["id"], first["last_sync_at"], timeout=30)
        assert synced["sync_status"] == "ok"
        assert _bob_has(world, "in/b.txt")
        assert f"share {share['id']}: its instance stopped during a run" in caplog.text


def test_a_change_through_another_instance_marks_the_share_this_one_runs(
    tmp_path: Path, bus_url: str
) -> None:
    """The share runs here when alice writes through another instance: this one must hear
    it on the bus and mark the share changed during its run, so it runs again at once."""
    settings = f'[deployment]\nbus = "{bus_url}"\n'
    with shares_world(tmp_path / "data", settings) as world:
        alice, bob = world["alice"], world["bob"]
        _put(alice, "trip/a.txt", b"first")
        share = alice.post(BASE, json={"to": "bob", "place": "home:trip"}).json()
        assert bob.post(f"{BASE}/{share['id']}/accept", json={"place": "home:in"}).is_success
        world.wait_synced(bob, share["id"], 0)
        world.wait_idle(share["id"])
        runner = world.app.state.account_shares.scheduler.runner
        heard: list[FileChange] = []  # what this instance heard, to tell which half failed
        world.app.state.files.changes.listen(heard.append, everywhere=True)
        runner.running.add(share["id"])  # this instance is in the middle of a run
        other = create_app(ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web"))
        with TestClient(other) as through_other:
            stored = through_other.put(
                "/api/v1/storage/content",
                params={"path": "trip/b.txt"},
                content=b"written through the other instance",
                headers={"Authorization": f"Bearer {alice.token}"},
            )
            assert stored.status_code == 200, stored.text
            deadline = time.monotonic() + 5
            while share["id"] not in runner.changed_meanwhile:
                assert time.monotonic() < deadline, (
                    "the change did not reach this instance: it heard no change at all"
                    if not heard
                    else f"this instance heard {heard} but did not mark the share"
                )
                time.sleep(0.02)
        runner.running.discard(share["id"])
