"""A file whose hand-off to the queue fails again and again, against a real WebDAV server
(wsgidav) and the server's real database and queue: it is tried again after its own growing
waits while a file written after it is handed over once its own quiet window ends; after the
policy's tries it is given up as a dead job that says why, and retrying that job converts it.
Time comes from the feed's injected clock, so the waits are exact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncoxide.automation.handoff_retry import HandoffRetry
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

QUIET = 10.0
RETRY = HandoffRetry(base=4.0, cap=8.0, attempts=4)


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with automation_world(tmp_path, monkeypatch, poll_seconds=0.3, quiet_seconds=QUIET) as made:
        yield made


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as server:
        yield server


class RefusingFeed:
    """The server's feed on a clock of ours, whose hand-off of ``a-bad.jpg`` always fails."""

    def __init__(self, running: ProviderArrivals, give_up: Any) -> None:
        self.now = 1000.0
        self.tries = 0
        self.handed: list[tuple[float, str]] = []
        timing = PollTiming(every=60.0, quiet=QUIET, clock=lambda: self.now, retry=RETRY,
                            jitter=lambda: 0.5)  # fmt: skip
        self.arrivals = ProviderArrivals(
            rules=running.rules, places=running.places, connections=running.connections,
            seen=running.seen, enqueue=self._enqueue, give_up=give_up, timing=timing,
        )  # fmt: skip

    def _enqueue(self, _rule: AutomationRule, item: dict[str, Any], _folder: str) -> None:
        if item["path"] == "a-bad.jpg":
            self.tries += 1
            raise RuntimeError("the queue refused it")
        self.handed.append((self.now, item["path"]))


def test_a_file_that_keeps_failing_holds_back_no_other_and_ends_as_a_dead_job(
    world: World, dav: OwnDav
) -> None:
    alice = world["alice"]
    portal: Any = alice.client.portal
    automation = world.app.state.automation
    connect(alice, "nas", dav)
    camera = dav.root / "Camera"
    camera.mkdir()
    rule = add_rule(alice, name="thumbs", source_kind="connection", source="nas:Camera",
                    match_types=["image"], output="png", target_folder="out",
                    options={"max_size": 32})  # fmt: skip
    wait_first_look(alice, rule["id"])
    portal.call(automation.arrivals.stop)  # this test plays the server's polls itself
    feed = RefusingFeed(automation.arrivals, automation.handoff_given_up)

    def poll_at(now: float) -> None:
        feed.now = now
        portal.call(feed.arrivals.poll)

    (camera / "a-bad.jpg").write_bytes(jpeg((64, 64)))
    poll_at(1000.0)
    poll_at(1010.0)  # settled: the first try fails, the next is due 4 s later
    assert feed.tries == 1
    (camera / "b-good.jpg").write_bytes(jpeg((64, 64)))
    poll_at(1013.9)
    assert feed.tries == 1, "not before its time"
    poll_at(1014.0)  # the second try fails, the next is due 8 s later; b-good.jpg is seen
    poll_at(1022.0)  # the third
    assert feed.tries == 3 and feed.handed == []
    poll_at(1024.0)  # b-good.jpg's own quiet window ended: handed over, nothing held it back
    assert feed.handed == [(1024.0, "b-good.jpg")]
    poll_at(1030.0)  # the fourth and last try
    assert feed.tries == 4
    for now in (1040.0, 1100.0, 2000.0):
        poll_at(now)
    assert feed.tries == 4, "given up: not tried again while it stays as it is"

    [dead] = alice.get("/api/v1/jobs", params={"status": "dead"}).json()["jobs"]
    assert dead["error_code"] == "handoff_failed" and dead["items"] == ["a-bad.jpg"]
    assert "'a-bad.jpg' could not be handed to this rule (tried 4 times)" in dead["message"]
    assert "RuntimeError: the queue refused it" in dead["message"]
    assert dead["rule"] == rule["id"] and dead["output"] == "out/a-bad.png"
    told = {"job": dead["id"], "rule": rule["id"], "status": "dead"}
    wait_for(lambda: told in finished_events(alice), 10)  # an open app's dead list hears it
    retried = alice.post(f"/api/v1/jobs/{dead['id']}/retry")
    assert retried.status_code == 200, retried.text
    wait_for(lambda: alice.get(f"/api/v1/jobs/{dead['id']}").json()["status"] == "done", 30)
    assert (camera / "out" / "a-bad.png").exists(), "the retried job converted it"


def finished_events(person: Person) -> list[dict[str, Any]]:
    events = person.get("/api/v1/events").json()["events"]
    return [e["payload"] for e in events if e["kind"] == "automation.job.finished"]
