"""A restart while files wait for their quiet window, against a real WebDAV server (wsgidav)
and the server's real database: the restarted poll (a new feed on the same database, nothing
in memory) takes the waits back, so a file unchanged across the restart is handed over once
its first window has passed, and a file that changed meanwhile waits a window of its own.
Time comes from the feeds' injected clock, so the windows are exact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncoxide.server.automation.provider_watch import PollTiming, ProviderArrivals
from syncoxide.server.automation.rules import AutomationRule
from tests.server.accountshares.shares_world import World
from tests.server.automation.provider_world import (
    OwnDav,
    add_rule,
    automation_world,
    connect,
    jpeg,
    own_dav,
    wait_first_look,
)

QUIET = 30.0


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with automation_world(tmp_path, monkeypatch, poll_seconds=0.3, quiet_seconds=QUIET) as made:
        yield made


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as server:
        yield server


class Feed:
    """A feed as a server (re)started on the same database builds it, on a clock of ours."""

    def __init__(self, running: ProviderArrivals, now: float) -> None:
        self.now = now
        self.handed: list[str] = []
        self.arrivals = ProviderArrivals(
            rules=running.rules,
            places=running.places,
            connections=running.connections,
            seen=running.seen,
            enqueue=self._enqueue,
            timing=PollTiming(every=1.0, quiet=QUIET, clock=lambda: self.now),
        )

    def _enqueue(self, _rule: AutomationRule, item: dict[str, Any], _folder: str) -> None:
        self.handed.append(item["path"])


def test_a_restart_resumes_the_quiet_window_where_it_was(world: World, dav: OwnDav) -> None:
    alice = world["alice"]
    portal: Any = alice.client.portal
    automation = world.app.state.automation
    connect(alice, "nas", dav)
    camera = dav.root / "Camera"
    camera.mkdir()
    rule = add_rule(alice, name="thumbs", source_kind="connection", source="nas:Camera",
                    match_types=["image"], output="png", target_folder="out")  # fmt: skip
    wait_first_look(alice, rule["id"])
    portal.call(automation.arrivals.stop)  # this test plays the server's polls itself
    (camera / "still.jpg").write_bytes(jpeg((64, 64)))
    (camera / "growing.jpg").write_bytes(jpeg((64, 64))[:100])

    first = Feed(automation.arrivals, now=1000.0)
    portal.call(first.arrivals.poll)
    first.now = 1000.0 + QUIET / 2
    portal.call(first.arrivals.poll)
    assert first.handed == [] and first.arrivals.settling.waiting(rule["id"]) == 2

    (camera / "growing.jpg").write_bytes(jpeg((64, 64)))  # written on while no server runs
    restarted = Feed(automation.arrivals, now=1000.0 + QUIET)
    portal.call(restarted.arrivals.poll)
    assert restarted.handed == ["still.jpg"], "unchanged: its first window has passed"
    restarted.now += QUIET - 1
    portal.call(restarted.arrivals.poll)
    assert restarted.handed == ["still.jpg"], "changed: it waits a whole window from then"
    restarted.now += 1
    portal.call(restarted.arrivals.poll)
    assert restarted.handed == ["still.jpg", "growing.jpg"]
    assert automation.arrivals.seen.waits(rule["id"]) == {}, "nothing waits any more"
