"""What instances tell each other on a real Redis and a real NATS (each test runs on both):
the broadcast under it all, users' file changes and what listens to them everywhere (the
change feed, run-on-write), and cancels that stop a job on the instance running it at once.

Two instances here are two connections to the bus, as two server processes have; they share
one SQLite file for what they keep in the database.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from syncoxide.errors import CancelledByUserError
from syncoxide.server.automation.database_queue import DatabaseJobQueue
from syncoxide.server.automation.queue import Job, NewJob
from syncoxide.server.automation.worker import JobControl, JobWorker, WorkerSettings
from syncoxide.server.bus.broadcast import Broadcast
from syncoxide.server.bus.choose import SharedBus, open_bus
from syncoxide.server.bus.port import Message
from syncoxide.server.datadir import migrate
from syncoxide.server.deployment.settings import Target
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.change_positions import SharedPositions
from syncoxide.server.files.change_relay import FileChangeRelay
from syncoxide.server.files.changes import MOVED, OPENED, WRITTEN, ChangeFanout, FileChange
from syncoxide.server.rules.connections import HOME
from syncoxide.server.rules.on_write import WriteTrigger
from syncoxide.server.rules.store import Connection, RuleStore
from syncoxide.server.scheduling.cancel_relay import JOB, CancelRelay
from syncoxide.server.storage.database import Database, sqlite_at
from tests.server.rules.test_rules_on_write import rule_record
from tests.server.stores.conftest import add_user

pytestmark = pytest.mark.live


@asynccontextmanager
async def two_instances(url: str) -> AsyncIterator[tuple[SharedBus, SharedBus]]:
    kind = "nats" if url.startswith("nats://") else "redis"
    async with AsyncExitStack() as stack:
        buses = []
        for _ in range(2):
            shared = open_bus(Target(kind, url, "test"))
            assert shared is not None
            stack.push_async_callback(shared.aclose)
            buses.append(shared)
        yield buses[0], buses[1]


def _channel() -> str:
    return f"test.{uuid.uuid4().hex}"  # one per test: the session's bus is shared


async def until(condition: Callable[[], object], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time given"
        await asyncio.sleep(0.01)


@pytest.fixture
def database(tmp_path: Path) -> Database:
    """The database both instances share, with alice (user 1) in it."""
    handle = sqlite_at(tmp_path / "shared.sqlite3")
    migrate(handle.connection)
    add_user(handle, "alice")
    return handle


def test_a_broadcast_reaches_the_others_in_order_and_says_when_one_was_missed(
    bus_url: str,
) -> None:
    async def body() -> None:
        async with two_instances(bus_url) as (a, b):
            channel = _channel()
            one, two = Broadcast(a.bus, channel, "one"), Broadcast(b.bus, channel, "two")
            heard_by_one: list[Message] = []
            heard_by_two: list[Message] = []
            lost: list[int] = []
            one.on_message(heard_by_one.append)
            two.on_message(heard_by_two.append)
            two.on_lost(lambda: lost.append(len(heard_by_two)))
            await one.start()
            await two.start()
            for n in range(50):
                one.send({"n": n})
            await until(lambda: len(heard_by_two) == 50)
            assert [m["n"] for m in heard_by_two] == list(range(50))
            assert [m["number"] for m in heard_by_two] == list(range(1, 51))
            two.send({"n": "back"})
            await until(lambda: heard_by_one)
            assert [m["n"] for m in heard_by_one] == ["back"]  # never its own
            assert lost == []
            # Number 51 went missing on its way (a reconnect, a failed publish).
            await a.bus.publish(channel, {"from": "one", "number": 52, "n": 52})
            await until(lambda: lost)
            assert lost == [50] and heard_by_two[-1]["n"] == 52  # told before it is handled
            await one.stop()
            await two.stop()

    asyncio.run(body())


def test_a_change_made_on_one_instance_reaches_the_listeners_everywhere_of_the_other(
    bus_url: str,
) -> None:
    async def body() -> None:
        async with two_instances(bus_url) as (a, b):
            channel = _channel()
            here, there = ChangeFanout(), ChangeFanout()
            everywhere_here: list[FileChange] = []
            everywhere_there: list[FileChange] = []
            local_there: list[FileChange] = []
            here.listen(everywhere_here.append, everywhere=True)
            there.listen(everywhere_there.append, everywhere=True)
            there.listen(local_there.append)
            relays = [
                FileChangeRelay(Broadcast(a.bus, channel, "a"), here),
                FileChangeRelay(Broadcast(b.bus, channel, "b"), there),
            ]
            for relay in relays:
                await relay.start()
            moved = FileChange(1, "moved", "new/name.txt", "old/name.txt")
            here.tell(FileChange(1, OPENED, "read.txt", "read.txt"))  # not carried
            here.tell(moved)
            await until(lambda: everywhere_there)
            await asyncio.sleep(0.2)  # anything more would show by now
            assert everywhere_there == [moved]
            assert local_there == []  # the catalog's index, the automation queue: once, there
            assert everywhere_here == [FileChange(1, OPENED, "read.txt", "read.txt"), moved]
            for relay in relays:
                await relay.stop()

    asyncio.run(body())


@asynccontextmanager
async def two_feeds(
    url: str, database: Database
) -> AsyncIterator[tuple[tuple[ChangeFanout, StorageChangeFeed, Broadcast], ...]]:
    """Two instances' file changes and storage change feeds, numbered in one database and
    relayed on the bus, as the app wires them (relays.py ``storage_change_feed``)."""
    async with two_instances(url) as buses:
        channel = _channel()
        pairs, relays = [], []
        for name, shared in zip("ab", buses, strict=True):
            changes = ChangeFanout()
            changes.positions = SharedPositions(database)
            feed = StorageChangeFeed(changes.positions)
            changes.listen(feed.notice, everywhere=True)
            relay = FileChangeRelay(Broadcast(shared.bus, channel, name), changes)
            relay.broadcast.on_lost(feed.lost_track)
            await relay.start()
            pairs.append((changes, feed, relay.broadcast))
            relays.append(relay)
        try:
            yield tuple(pairs)
        finally:
            for relay in relays:
                await relay.stop()


def test_a_long_poll_on_one_instance_wakes_for_an_upload_on_the_other(
    bus_url: str, database: Database
) -> None:
    async def body() -> None:
        async with two_feeds(bus_url, database) as ((here, _, sent), (_, feed, _)):
            token = feed.token(1)
            waiting = asyncio.create_task(feed.since(1, token, wait=10))
            await asyncio.sleep(0.1)
            started = time.monotonic()
            here.tell(FileChange(1, WRITTEN, "inbox/new.txt"))
            answer = await waiting
            assert answer.paths == ["inbox/new.txt"]
            assert time.monotonic() - started < 2
            # A change lost on the bus: the next question about any earlier token is
            # answered "look at everything".
            await sent.bus.publish(sent.channel, {"from": "a", "number": 9, "user": 1,
                "what": WRITTEN, "path": "x.txt", "before": "", "position": 99})  # fmt: skip
            await until(lambda: feed.token(1) != answer.token)
            assert (await feed.since(1, answer.token)).paths == [""]

    asyncio.run(body())


def test_a_token_moves_between_instances(bus_url: str, database: Database) -> None:
    """Behind a load balancer the next poll may reach another instance: the token one gave
    is good on the other, which answers what came after it, not "look at everything"."""

    async def body() -> None:
        async with two_feeds(bus_url, database) as ((here, a, _), (there, b, _)):
            start = a.token(1)
            assert b.token(1) == start
            here.tell(FileChange(1, WRITTEN, "one.txt"))
            await until(lambda: b.token(1) != start)
            mid = b.token(1)  # given by the other instance
            there.tell(FileChange(1, MOVED, "two.txt", "old.txt"))
            await until(lambda: a.token(1) == b.token(1) != mid)
            assert (await b.since(1, start)).paths == ["old.txt", "one.txt", "two.txt"]
            assert (await a.since(1, mid)).paths == ["old.txt", "two.txt"]
            assert (await b.since(1, a.token(1))).paths == []
            # A poll waiting on the other instance wakes for a change made on the first.
            waiting = asyncio.create_task(b.since(1, a.token(1), wait=10))
            await asyncio.sleep(0.1)
            here.tell(FileChange(1, WRITTEN, "three.txt"))
            assert (await waiting).paths == ["three.txt"]

    asyncio.run(body())


def test_a_rule_running_on_one_instance_runs_again_for_a_write_on_the_other(
    bus_url: str, database: Database
) -> None:
    """The run's finish sets its next scheduled time; the instance running it must hear the
    write it did not see, wherever it landed, and make the rule due once that run ended."""
    store = RuleStore(database)
    running_there = {True}

    async def body() -> int:
        home = await store.add_connection(Connection(0, 1, "home", HOME, {}, {}, "ok", "", 0, None))
        rule = await store.add_rule(
            replace(rule_record(), source_id=home.id, dest_id=home.id, next_run_at=10**9)
        )
        async with two_instances(bus_url) as (a, b):
            channel = _channel()
            here, there = ChangeFanout(), ChangeFanout()
            triggers = [
                WriteTrigger(store, is_running=lambda _id: False, clock=lambda: 1000,
                             wake=lambda: None, settle_seconds=0.05),
                WriteTrigger(store, is_running=lambda _id: True in running_there,
                             clock=lambda: 2000, wake=lambda: None, settle_seconds=0.05),
            ]  # fmt: skip
            here.listen(triggers[0].notice, everywhere=True)
            there.listen(triggers[1].notice, everywhere=True)
            relays = [
                FileChangeRelay(Broadcast(a.bus, channel, "a"), here),
                FileChangeRelay(Broadcast(b.bus, channel, "b"), there),
            ]
            for relay in relays:
                await relay.start()
            here.tell(FileChange(1, WRITTEN, "inbox/late.txt"))
            await until(lambda: _next_run(database, rule.id) == 1000)  # made due here at once
            # The run there ends and sets its next time far ahead, as a finished run does.
            database.execute("UPDATE sync_rules SET next_run_at = ? WHERE id = ?", (10**9, rule.id))
            running_there.clear()
            await until(lambda: _next_run(database, rule.id) == 2000)
            for trigger in triggers:
                await trigger.stop()
            for relay in relays:
                await relay.stop()
        return rule.id

    asyncio.run(body())


def _next_run(database: Database, rule_id: int) -> int:
    row = database.execute("SELECT next_run_at FROM sync_rules WHERE id = ?", (rule_id,)).one()
    assert row is not None
    return int(row[0])


def test_a_cancel_taken_by_one_instance_stops_the_job_running_on_the_other_at_once(
    bus_url: str, database: Database
) -> None:
    # Leases renewed once a minute: the flag in the database alone would take that long.
    slow = WorkerSettings(slots=1, per_user=1, lease=120.0, renew_every=60.0, poll=0.05)
    queue = DatabaseJobQueue(database, time.time)
    job = queue.enqueue(NewJob(1, "k", {}))
    started = asyncio.Event()
    finished: list[tuple[int, str]] = []

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        started.set()
        while not control.cancelled():  # what the action runner does every 50 ms
            await asyncio.sleep(0.01)
        raise CancelledByUserError("stopped")

    async def told(job: Job, status: str) -> None:
        finished.append((job.id, status))

    async def body() -> float:
        async with two_instances(bus_url) as (a, b):
            channel = _channel()
            # The instance running it:
            worker = JobWorker(queue, {"k": handler}, slow, on_finished=told)
            relays = [
                CancelRelay(Broadcast(a.bus, channel, "a"), {JOB: lambda _id: False}),
                CancelRelay(Broadcast(b.bus, channel, "b"), {JOB: worker.stop_here}),
            ]
            for relay in relays:
                await relay.start()
            await worker.start()
            await asyncio.wait_for(started.wait(), 10)
            begun = time.monotonic()
            asked = queue.cancel(1, job.id)  # the API on the other instance: the flag first,
            assert asked is not None and asked.cancel_requested
            relays[0].sender(JOB)(job.id)  # then the word on the bus
            await until(lambda: finished)
            took = time.monotonic() - begun
            await worker.stop()
            for relay in relays:
                await relay.stop()
            return took

    assert asyncio.run(body()) < 1.0
    assert finished == [(job.id, "cancelled")]
    stopped = queue.get(1, job.id)
    assert stopped is not None and stopped.status == "cancelled"
