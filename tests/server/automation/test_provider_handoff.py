"""The moment a settled file is handed to the job queue, against a real WebDAV server
(wsgidav) and the server's real database: a poll that stops right there (its process killed,
or the queue's write failing) must leave the file unrecorded, so the poll of a restarted
server, a new feed on the same database with no waits in memory, makes its one job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncoxide.server.automation.provider_watch import PollTiming, ProviderArrivals
from syncoxide.server.automation.rules import AutomationRule
from tests.server.accountshares.shares_world import Person, World
from tests.server.automation.provider_world import (
    OwnDav,
    add_rule,
    automation_world,
    connect,
    jpeg,
    own_dav,
    wait_first_look,
    wait_for,
)

POLL, QUIET = 0.3, 1.0


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with automation_world(tmp_path, monkeypatch, poll_seconds=POLL, quiet_seconds=QUIET) as made:
        yield made


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as server:
        yield server


class StopsAtHandoff(Exception):
    """Where the process of the first feed ends: inside the hand-off to the queue."""


def feed_like(running: ProviderArrivals, enqueue: Any) -> ProviderArrivals:
    """A feed as a server (re)started on the same database builds it: nothing in memory."""
    return ProviderArrivals(
        rules=running.rules,
        places=running.places,
        connections=running.connections,
        seen=running.seen,
        enqueue=enqueue,
        timing=PollTiming(every=POLL, quiet=QUIET),
    )


def test_a_poll_stopped_at_the_handoff_leaves_the_file_to_the_restarted_one(
    world: World, dav: OwnDav
) -> None:
    alice = world["alice"]
    portal: Any = alice.client.portal
    automation = world.app.state.automation
    connect(alice, "nas", dav)
    (dav.root / "Camera").mkdir()
    rule = add_rule(alice, name="thumbs", source_kind="connection", source="nas:Camera",
                    match_types=["image"], output="png", target_folder="out",
                    options={"max_size": 100})  # fmt: skip
    wait_first_look(alice, rule["id"])
    portal.call(automation.arrivals.stop)  # this test plays the server's polls itself
    (dav.root / "Camera" / "photo.jpg").write_bytes(jpeg((800, 600)))

    handed: list[str] = []

    def stop_at_handoff(_rule: AutomationRule, item: dict[str, Any], _folder: str) -> None:
        handed.append(item["path"])
        raise StopsAtHandoff(item["path"])

    first = feed_like(automation.arrivals, stop_at_handoff)

    def polled_until_handed() -> list[str]:
        portal.call(first.poll)  # looks only when due: the file waits QUIET, then is handed
        return handed

    wait_for(polled_until_handed, 30)
    assert handed == ["photo.jpg"]

    restarted = feed_like(automation.arrivals, automation.enqueue)
    automation.arrivals = restarted
    portal.call(restarted.start)
    try:
        wait_for(lambda: finished(alice), 20)  # lost, before the hand-off was one transaction
        time.sleep(QUIET + 3 * POLL)  # more looks: the file is recorded now, no second job
    finally:
        portal.call(restarted.stop)
    jobs = alice.get("/api/v1/jobs").json()["jobs"]
    assert [(j["status"], j["output"]) for j in jobs] == [("done", "out/photo.png")], jobs
    assert (dav.root / "Camera" / "out" / "photo.png").exists()


def finished(person: Person) -> list[dict[str, Any]]:
    jobs = person.get("/api/v1/jobs").json()["jobs"]
    return [j for j in jobs if j["status"] in ("done", "dead")]
