"""Job leases on SQLite and on PostgreSQL, then rules across two instances.

The live tests run two ``syncoxide serve`` on one data directory and a Redis bus against
the FAKE Dropbox (tests/fakes), whose delayed replies make a run last long enough to kill
the instance running it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from syncoxide.server.storage.database import Database
from syncoxide.server.storage.leases import JobLeases, lapsed_jobs, run_leased
from tests.conftest import LiveServer, data_dir_token, start_live_server
from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, Fault
from tests.fakes.serving import served
from tests.server.databases import database_of
from tests.server.stores.conftest import database, reopened

__all__ = ["database"]  # fixtures, registered by name


class Clock:
    def __init__(self) -> None:
        self.now = 1000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def handles(database: Database) -> Iterator[tuple[Database, Database]]:
    """Two handles on one database, as two instances have (SQLite, then PostgreSQL)."""
    other = reopened(database)
    yield database, other
    other.close()


def _two_holders(
    handles: tuple[Database, Database], seconds: int, clock: Clock
) -> tuple[JobLeases, JobLeases]:
    return JobLeases(handles[0], "one", seconds, clock), JobLeases(
        handles[1], "two", seconds, clock
    )


def test_one_holder_at_a_time_until_its_lease_lapses(handles: tuple[Database, Database]) -> None:
    clock = Clock()
    one, two = _two_holders(handles, 30, clock)

    async def body() -> None:
        assert await one.take("rule:1")
        assert await one.take("rule:1")  # renewing
        assert not await two.take("rule:1")
        assert await two.take("rule:2")  # another job is free
        assert await two.holder_of("rule:1") == "one"
        clock.now += 30  # one stopped renewing: it died
        assert await one.holder_of("rule:1") is None
        assert await two.take("rule:1")
        assert not await one.take("rule:1")  # the old holder cannot take it back
        await one.release("rule:1")  # nor release what is not its own
        assert await one.holder_of("rule:1") == "two"
        await two.release("rule:1")
        assert await one.take("rule:1")

    asyncio.run(body())


# Two instances against the fake Dropbox.


@pytest.fixture
def dropbox() -> Iterator[tuple[FakeDropbox, str]]:
    fake = FakeDropbox()
    for name in ("a.txt", "sub/b.txt"):
        fake.store.put({"path": f"/in/{name}", "mode": "overwrite"}, name.encode() * 100, None)
    with served(fake.faults) as url:
        yield fake, url


@pytest.fixture
def instances(tmp_path: Path, redis_url: str) -> Iterator[list[LiveServer]]:
    env = {"SYNCOXIDE_BUS": redis_url, "SYNCOXIDE_LEASE_SECONDS": "3"}
    started = [start_live_server(tmp_path / "data", env=env)]
    try:
        started.append(start_live_server(tmp_path / "data", env=env))
        yield started
    finally:
        for server in started:
            server.stop()


def _api(server: LiveServer, token: str) -> httpx2.Client:
    return httpx2.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def _token(data_dir: Path, tmp_path: Path) -> str:
    return data_dir_token(data_dir, "lea", tmp_path)


def _make_rule(api: httpx2.Client, url: str) -> int:
    options = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    options |= {"refresh_token": REFRESH_TOKEN, "token_url": f"{url}/oauth2/token"}
    options |= {"api_url": url, "content_url": url}
    body = {"name": "dbx", "kind": "dropbox", "options": options}
    connection = api.post("/connections", json=body)
    assert connection.status_code == 201, connection.text
    both = connection.json()["id"]
    rule = {"source_id": both, "source_path": "in", "dest_id": both, "dest_path": "out"}
    rule["interval_seconds"] = 3600
    made = api.post("/rules", json=rule)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _runs(api: httpx2.Client, rule_id: int) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = api.get(f"/rules/{rule_id}").json()["runs"]
    return runs


def _status(api: httpx2.Client, rule_id: int) -> str:
    return str(api.get(f"/rules/{rule_id}").json()["status"])


def _wait(what: str, reached: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reached():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {seconds} s")


def _holder(data_dir: Path, rule_id: int) -> str | None:
    db = database_of(data_dir)  # SQLite, or PostgreSQL when the suite runs on it
    try:
        found = db.execute("SELECT holder FROM job_leases WHERE job = ?", (f"rule:{rule_id}",))
        row = found.one()
    finally:
        db.close()
    return str(row[0]) if row else None


@pytest.mark.live
def test_a_rule_runs_once_with_two_instances_up(
    instances: list[LiveServer], dropbox: tuple[FakeDropbox, str], tmp_path: Path
) -> None:
    fake, url = dropbox
    fake.faults.add(Fault("list_folder", status=0, delay=1.0, times=2))
    api = _api(instances[0], _token(instances[0].data_dir, tmp_path).strip())
    rule_id = _make_rule(api, url)
    _wait("the first run", lambda: any(r["finished_at"] for r in _runs(api, rule_id)))
    time.sleep(3)  # several ticks of both schedulers
    runs = _runs(api, rule_id)
    assert [r["status"] for r in runs] == ["ok"], runs


@pytest.mark.live
def test_a_rule_still_runs_when_the_instance_running_it_is_killed(
    instances: list[LiveServer], dropbox: tuple[FakeDropbox, str], tmp_path: Path
) -> None:
    fake, url = dropbox
    fake.faults.add(Fault("list_folder", status=0, delay=4.0, times=2))
    token = _token(instances[0].data_dir, tmp_path).strip()
    api = _api(instances[0], token)
    rule_id = _make_rule(api, url)
    _wait("a lease on the rule", lambda: _holder(instances[0].data_dir, rule_id) is not None)
    holder = _holder(instances[0].data_dir, rule_id)
    ids = [httpx2.get(f"{s.url}/healthz", timeout=10).json()["instance"] for s in instances]
    running_it = ids.index(holder)
    _wait("the rule to show running", lambda: _status(api, rule_id) == "running")
    other = _api(instances[1 - running_it], token)
    again = other.post(f"/rules/{rule_id}/run")  # "Run now" on the instance not running it
    assert again.status_code == 400 and "running already" in again.json()["message"]
    instances[running_it].process.kill()  # SIGKILL, mid-run
    instances[running_it].process.wait(timeout=10)
    survivor = _api(instances[1 - running_it], token)
    _wait("a run on the other instance", lambda: _runs(survivor, rule_id)[0]["status"] == "ok", 90)
    statuses = [r["status"] for r in _runs(survivor, rule_id)]
    assert statuses == ["ok", "interrupted"], statuses
    # Released once the run is recorded: the status may show a moment before the release.
    _wait("the lease released", lambda: _holder(instances[0].data_dir, rule_id) is None, 10)


def test_work_runs_once_under_its_lease_and_stops_when_the_lease_is_lost(
    handles: tuple[Database, Database],
) -> None:
    clock = Clock()
    one, two = _two_holders(handles, 3, clock)

    async def body() -> None:
        started = asyncio.Event()

        async def slow() -> str:
            started.set()
            await asyncio.sleep(10)
            return "done"

        first = asyncio.create_task(run_leased(one, "backup:1", slow))
        await started.wait()
        assert await run_leased(two, "backup:1", slow) == (False, None)  # held by one
        clock.now += 3  # one stalled past its lease; two takes the job over
        assert await two.take("backup:1")
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(first, 5)  # one's renewal fails within a second
        assert await two.holder_of("backup:1") == "two"

        async def quick() -> str:
            return "ran"

        assert await run_leased(two, "backup:2", quick) == (True, "ran")
        assert await one.holder_of("backup:2") is None  # released after the work

        async def no() -> bool:
            return False

        assert await run_leased(one, "backup:3", quick, still_due=no) == (False, None)
        assert await one.holder_of("backup:3") is None

    asyncio.run(body())


def test_only_lapsed_jobs_are_handed_to_the_reaper(handles: tuple[Database, Database]) -> None:
    clock = Clock()
    one, two = _two_holders(handles, 30, clock)

    async def body() -> None:
        assert await one.take("rule:1") and await one.take("rule:2")
        clock.now += 20
        assert await one.take("rule:2")  # one still renews rule 2, not rule 1
        clock.now += 15
        reaped = [job async for job in lapsed_jobs(two, ["rule:1", "rule:2", "rule:3"])]
        assert reaped == ["rule:1", "rule:3"]  # rule 3 was never held: left by a crash
        assert await two.holder_of("rule:1") is None  # released once recorded

    asyncio.run(body())
