"""Rules reading the server's own storage run as soon as a file there changes, not on schedule."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.changes import WRITTEN, FileChange
from syncoxide.server.rules.connections import HOME
from syncoxide.server.rules.on_write import WriteTrigger, reads_changed_path
from syncoxide.server.rules.store import Connection, Rule, RuleStore
from tests.server.rules.rules_world import ROOT, connect, rules_client, wait_for_runs
from tests.server.signin import add_user

pytestmark = pytest.mark.live

#: From the upload to the rule's run finished: 1 s settle + the scheduler's wake + the run.
REACTION_BOUND = 10.0


def rule_record(mode: str = "copy", source: str = "inbox", dest: str = "outbox") -> Rule:
    return Rule(1, 1, "r", 7, source, 7, dest, mode, "newer", 60, True, "ok", "", 0, None, 0, True)


def test_which_paths_a_rule_reads() -> None:
    assert reads_changed_path(rule_record(), {7}, ["inbox/a.txt"])
    assert reads_changed_path(rule_record(), {7}, ["inbox"])
    assert not reads_changed_path(rule_record(), {7}, ["inboxes/a.txt", "outbox/a.txt"])
    assert not reads_changed_path(rule_record(), {8}, ["inbox/a.txt"])  # not its storage
    assert reads_changed_path(rule_record("bisync"), {7}, ["outbox/a.txt"])
    assert reads_changed_path(rule_record(source=""), {7}, ["anything/at/all"])


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with rules_client(tmp_path / "data") as signed_in:
        yield signed_in


def put(client: TestClient, path: str, body: bytes) -> None:
    stored = client.put("/api/v1/storage/content", params={"path": path}, content=body)
    assert stored.status_code == 200, stored.text


def rule(client: TestClient, home: int, **fields: Any) -> dict[str, Any]:
    body = {"source_id": home, "source_path": "inbox", "dest_id": home, "dest_path": "outbox",
            "mode": "copy", "interval_seconds": 86400, "on_change": True, **fields}  # fmt: skip
    made = client.post("/api/v1/rules", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def finished_runs(client: TestClient, rule_id: int) -> int:
    runs = client.get(f"/api/v1/rules/{rule_id}").json()["runs"]
    return sum(1 for run in runs if run["finished_at"] is not None)


def stored(client: TestClient, path: str) -> bytes | None:
    answer = client.get("/api/v1/storage/content", params={"path": path})
    return answer.content if answer.status_code == 200 else None


def test_an_upload_runs_the_rule_at_once_and_a_burst_runs_it_once(client: TestClient) -> None:
    put(client, "inbox/first.txt", b"first")
    home = connect(client, "home", "home")["id"]
    watching = rule(client, home)
    on_schedule = rule(client, home, dest_path="elsewhere", on_change=False)
    wait_for_runs(client, watching["id"], 1)
    wait_for_runs(client, on_schedule["id"], 1)
    assert stored(client, "outbox/first.txt") == b"first"

    started = time.monotonic()
    put(client, "inbox/new.txt", b"new")
    wait_for_runs(client, watching["id"], 2, timeout=REACTION_BOUND)
    assert time.monotonic() - started < REACTION_BOUND
    assert stored(client, "outbox/new.txt") == b"new"

    for number in range(30):
        put(client, f"inbox/burst/{number}.txt", str(number).encode())
    wait_for_runs(client, watching["id"], 3, timeout=REACTION_BOUND)
    time.sleep(2.0)  # a second run for the same burst would show by now
    assert finished_runs(client, watching["id"]) == 3
    assert all(stored(client, f"outbox/burst/{n}.txt") == str(n).encode() for n in range(30))

    put(client, "notes/unrelated.txt", b"not read by the rule")
    time.sleep(2.5)
    assert finished_runs(client, watching["id"]) == 3
    assert finished_runs(client, on_schedule["id"]) == 1  # it waits for its schedule


def test_a_change_during_a_run_makes_the_rule_due_once_that_run_ended(tmp_path: Path) -> None:
    """The run's finish sets the next scheduled time; a change it did not see must not wait."""
    app = create_app(ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web"))
    add_user(app, "alice")  # user 1
    store: RuleStore = app.state.rules.store
    running = {True}
    woken: list[int] = []

    async def scenario() -> int:
        home = await store.add_connection(Connection(0, 1, "home", HOME, {}, {}, "ok", "", 0, None))
        added = await store.add_rule(
            replace(rule_record(), source_id=home.id, dest_id=home.id, next_run_at=10**9)
        )
        trigger = WriteTrigger(
            store,
            is_running=lambda rule_id: True in running,
            clock=lambda: 1000,
            wake=lambda: woken.append(1),
            settle_seconds=0.05,
        )
        trigger.notice(FileChange(1, WRITTEN, "inbox/late.txt"))
        await asyncio.sleep(0.3)
        assert woken == [] and (await store.rule(1, added.id)).next_run_at == 10**9
        running.clear()  # the run ended (and set its next time far ahead)
        await asyncio.sleep(1.5)
        await trigger.stop()
        return (await store.rule(1, added.id)).next_run_at

    assert asyncio.run(scenario()) == 1000
    assert woken == [1]
