"""Sync rules against the FAKE Dropbox server: reconnect state, one run at a time, restarts.

The fake (tests/fakes/fake_dropbox.py) can refuse token renewals, the way a revoked Dropbox
connection does, and delay its replies, which makes a run last long enough to collide with.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.server.config import ServerConfig
from syncoxide.server.scheduling.scheduler import TICK_SECONDS
from syncoxide.server.storage.database import SqliteDatabase, sqlite_at
from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, Fault
from tests.fakes.serving import served
from tests.server.rules.rules_world import connect, rules_client, wait_for_runs

pytestmark = pytest.mark.live


@pytest.fixture()
def dropbox() -> Iterator[tuple[FakeDropbox, str]]:
    fake = FakeDropbox()
    for name in ("a.txt", "sub/b.txt"):
        fake.store.put({"path": f"/in/{name}", "mode": "overwrite"}, name.encode() * 100, None)
    with served(fake.faults) as url:
        yield fake, url


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with rules_client(tmp_path / "data") as signed_in:
        yield signed_in


def _connect(client: TestClient, url: str, name: str = "dbx") -> dict[str, Any]:
    return connect(
        client,
        name,
        "dropbox",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        token_url=f"{url}/oauth2/token",
        api_url=url,
        content_url=url,
    )


def _rule(client: TestClient, connection_id: int, **fields: Any) -> dict[str, Any]:
    body = {
        "source_id": connection_id,
        "source_path": "in",
        "dest_id": connection_id,
        "dest_path": "out",
        "interval_seconds": 10,
        **fields,
    }
    made = client.post("/api/v1/rules", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _token_requests(fake: FakeDropbox) -> int:
    return sum(1 for _, path, _ in fake.faults.seen if path.endswith("/oauth2/token"))


def _make_due(client: TestClient, data: Path, rule_id: int) -> None:
    """The rule's next scheduled run is due now, as if its interval had passed. On SQLite
    through a connection of the test's own (the server's belongs to its thread)."""
    database = client.app.state.rules.store._db  # type: ignore[attr-defined]
    if isinstance(database, SqliteDatabase):
        database = sqlite_at(ServerConfig.embedded_defaults(data).database_path)
    database.execute("UPDATE sync_rules SET next_run_at = 0 WHERE id = ?", (rule_id,))
    if isinstance(database, SqliteDatabase):
        database.close()


def test_a_revoked_connection_waits_for_reconnect_without_retrying(
    client: TestClient, dropbox: tuple[FakeDropbox, str], tmp_path: Path
) -> None:
    fake, url = dropbox
    connection = _connect(client, url)
    rule = wait_for_runs(client, _rule(client, connection["id"])["id"], 1)
    assert rule["status"] == "ok", rule["status_message"]
    assert {p for p in fake.store.items if p.startswith("/out/")} == {
        "/out/a.txt",
        "/out/sub",
        "/out/sub/b.txt",
    }

    fake.tokens.refuse_renewals = True
    fake.tokens.expire_all()
    assert client.post(f"/api/v1/rules/{rule['id']}/run").status_code == 202
    rule = wait_for_runs(client, rule["id"], 2)
    assert rule["status"] == "reconnect", rule
    assert "Reconnect dbx" in rule["status_message"]
    state = client.get("/api/v1/connections").json()["connections"][0]
    assert state["state"] == "reconnect" and "Reconnect" in state["state_message"]
    asked = _token_requests(fake)
    # Its scheduled time is made to have come (instead of waiting out its 10 s interval): only
    # its waiting for reconnect now keeps the scheduler, which looks every tick, from running it.
    _make_due(client, tmp_path / "data", rule["id"])
    time.sleep(3 * TICK_SECONDS)
    assert _token_requests(fake) == asked, "a rule waiting for reconnect asked the provider again"
    assert len(client.get(f"/api/v1/rules/{rule['id']}/runs").json()["runs"]) == 2

    fake.tokens.refuse_renewals = False
    tested = client.post(f"/api/v1/connections/{connection['id']}/test").json()
    assert tested["state"] == "ok"
    rule = wait_for_runs(client, rule["id"], 3)
    assert [r["status"] for r in rule["runs"][:3]] == ["ok", "reconnect", "ok"]
    assert rule["runs"][0]["trigger"] == "schedule", "the rule made due did not run on schedule"


@pytest.mark.both_databases
def test_a_rule_never_runs_twice_at_once(
    client: TestClient, dropbox: tuple[FakeDropbox, str]
) -> None:
    fake, url = dropbox
    connection = _connect(client, url)
    rule = _rule(client, connection["id"], enabled=False)
    fake.faults.add(Fault("list_folder", status=0, delay=1.5, times=5))
    assert client.post(f"/api/v1/rules/{rule['id']}/run").status_code == 202
    again = client.post(f"/api/v1/rules/{rule['id']}/run")
    assert again.status_code == 400 and "running already" in again.json()["message"]
    finished = wait_for_runs(client, rule["id"], 1)
    assert [r["status"] for r in finished["runs"]] == ["ok"]
    assert [r["trigger"] for r in finished["runs"]] == ["manual"]


@pytest.mark.both_databases
def test_a_restarted_server_resumes_schedules_and_marks_cut_runs(
    tmp_path: Path, dropbox: tuple[FakeDropbox, str]
) -> None:
    _, url = dropbox
    data = tmp_path / "data"
    with rules_client(data) as client:
        rule = wait_for_runs(
            client, _rule(client, _connect(client, url)["id"], interval_seconds=3600)["id"], 1
        )
        store = client.app.state.rules.store  # type: ignore[attr-defined]
    # As if the server had been killed during a second run, an hour later. The stopped server
    # closed its SQLite connections, so the file is opened again (PostgreSQL's pool is the
    # deployment's and stays open).
    database = store._db
    if isinstance(database, SqliteDatabase):
        database = sqlite_at(ServerConfig.embedded_defaults(data).database_path)
    database.execute("UPDATE sync_rules SET status = 'running', next_run_at = 0")
    database.execute(
        "INSERT INTO rule_runs (rule_id, trigger, status, started_at)"
        " VALUES (?, 'schedule', 'running', 1)",
        (rule["id"],),
    )
    if database is not store._db:
        database.close()
    with rules_client(data, new_user=False) as client:
        again = wait_for_runs(client, rule["id"], 3)
    assert [r["status"] for r in again["runs"]] == ["ok", "interrupted", "ok"]
    assert "next run resumes" in again["runs"][1]["message"]


def test_rules_refuse_what_cannot_work(
    client: TestClient, dropbox: tuple[FakeDropbox, str]
) -> None:
    _, url = dropbox
    connection = _connect(client, url)["id"]
    base = {"source_id": connection, "dest_id": connection, "interval_seconds": 60}
    cases = [
        ({**base, "source_path": "a", "dest_path": "a/b"}, 400, "overlap"),
        ({**base, "source_path": "a/../b", "dest_path": "c"}, 400, "not a folder path"),
        ({**base, "source_id": 999, "dest_path": "c"}, 404, "no connection 999"),
        (
            {**base, "source_path": "a", "dest_path": "c", "interval_seconds": 1},
            422,
            "out of range",
        ),
    ]
    for body, status, words in cases:
        answer = client.post("/api/v1/rules", json=body)
        assert answer.status_code == status and words in answer.json()["message"], answer.text
    assert client.get("/api/v1/rules").json() == {"rules": []}
    rule = _rule(client, connection, enabled=False)
    changed = client.patch(
        f"/api/v1/rules/{rule['id']}", json={"mode": "bisync", "interval_seconds": 120}
    )
    assert changed.status_code == 200 and changed.json()["mode"] == "bisync"
    refused = client.patch(f"/api/v1/rules/{rule['id']}", json={"dest_path": "in/x"})
    assert refused.status_code == 400 and "overlap" in refused.text
    assert client.delete(f"/api/v1/connections/{connection}").status_code == 204
    assert client.get("/api/v1/rules").json() == {"rules": []}  # its rules went with it


def test_connection_secrets_are_sealed_at_rest(
    client: TestClient, dropbox: tuple[FakeDropbox, str]
) -> None:
    _, url = dropbox
    _connect(client, url)
    store = client.app.state.rules.store  # type: ignore[attr-defined]
    row = store._db.execute("SELECT options, secrets FROM connections").one()
    assert CLIENT_SECRET not in str(row) and REFRESH_TOKEN not in str(row)
    assert CLIENT_ID in row[0]
    connection = asyncio.run(store.connections(1))[0]
    opened = client.app.state.rules.connections.options(connection)  # type: ignore[attr-defined]
    assert opened["refresh_token"] == REFRESH_TOKEN


def test_a_change_at_the_source_runs_the_rule_before_its_schedule(
    client: TestClient, dropbox: tuple[FakeDropbox, str]
) -> None:
    fake, url = dropbox
    watcher = client.app.state.rules.scheduler.watcher  # type: ignore[attr-defined]

    def poll() -> list[int]:  # one round of the watcher, in the app's own event loop
        return list(client.portal.call(watcher.poll))  # type: ignore[union-attr]

    connection = _connect(client, url)
    made = _rule(client, connection["id"], interval_seconds=86400, on_change=True)
    assert made["on_change"] is True
    wait_for_runs(client, made["id"], 1)
    assert poll() == []  # the first round takes the feed's position
    assert poll() == []  # nothing changed since
    fake.store.put({"path": "/in/fresh.txt", "mode": "overwrite"}, b"fresh", None)
    assert poll() == [made["id"]]
    rule = wait_for_runs(client, made["id"], 2, timeout=20)
    assert [r["status"] for r in rule["runs"]] == ["ok", "ok"]
    assert "/out/fresh.txt" in fake.store.items
    assert rule["next_run_at"] - rule["last_run_at"] == 86400  # back on its schedule


def test_a_safety_stop_holds_the_rule_until_the_user_proceeds(
    client: TestClient, dropbox: tuple[FakeDropbox, str]
) -> None:
    fake, url = dropbox
    connection = _connect(client, url)
    made = _rule(client, connection["id"], mode="bisync", interval_seconds=3600)
    rule = wait_for_runs(client, made["id"], 1)
    assert rule["status"] == "ok", rule["status_message"]
    refused = client.post(f"/api/v1/rules/{rule['id']}/proceed")
    assert refused.status_code == 400 and "not held" in refused.text

    for name in ("/in/a.txt", "/in/sub/b.txt"):  # as an expired login listing nothing would
        del fake.store.items[name]
    assert client.post(f"/api/v1/rules/{rule['id']}/run").status_code == 202
    rule = wait_for_runs(client, rule["id"], 2)
    assert rule["status"] == "held", rule
    assert "path1 lists no files" in rule["status_message"]
    assert rule["runs"][0]["details"] == {"stop": "safety_empty_side"}
    assert {"/out/a.txt", "/out/sub/b.txt"} <= set(fake.store.items)  # nothing deleted

    assert client.post(f"/api/v1/rules/{rule['id']}/proceed").status_code == 202
    rule = wait_for_runs(client, rule["id"], 3)
    assert rule["status"] == "ok", rule["status_message"]
    assert [r["trigger"] for r in rule["runs"][:2]] == ["proceed", "manual"]
    assert not {"/out/a.txt", "/out/sub/b.txt"} & set(fake.store.items)
    assert any("/.syncoxide/trash/" in path for path in fake.store.items)  # kept in the trash
