"""The SQLite job queue and its worker: claims, leases, retries, dead letters, cancel, limits."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from syncoxide.errors import ActionError, CancelledByUserError, TransportError
from syncoxide.server.automation.database_queue import DatabaseJobQueue
from syncoxide.server.automation.queue import Job, NewJob
from syncoxide.server.automation.worker import JobControl, JobWorker, WorkerSettings
from syncoxide.server.storage.database import Database
from tests.server.stores.conftest import add_user, database, reopened

__all__ = ["database"]  # fixtures, registered by name


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def people(database: Database) -> Database:
    """The queue's database (SQLite, then PostgreSQL) with alice (1) and bob (2) in it."""
    for name in ("alice", "bob"):
        add_user(database, name)
    return database


def queue(database: Database, clock: Clock | None = None) -> DatabaseJobQueue:
    return DatabaseJobQueue(database, clock or Clock())


def test_two_processes_never_claim_the_same_job(people: Database) -> None:
    other = reopened(people)  # the second process's own connection
    first, second = queue(people), queue(other)
    for _ in range(20):
        first.enqueue(NewJob(1, "k", {}))
    claimed: list[int] = []

    def take(q: DatabaseJobQueue, owner: str) -> None:
        while (job := q.claim(owner, 30, per_user=100)) is not None:
            claimed.append(job.id)

    threads = [
        threading.Thread(target=take, args=(q, f"o{n}")) for n, q in enumerate((first, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.close()
    assert sorted(claimed) == list(range(1, 21))


def test_the_per_user_limit_holds_and_others_go_ahead(people: Database) -> None:
    q = queue(people)
    for user in (1, 1, 2):
        q.enqueue(NewJob(user, "k", {}))
    first = q.claim("w", 30, per_user=1)
    second = q.claim("w", 30, per_user=1)
    assert (first and first.user_id, second and second.user_id) == (1, 2)
    assert q.claim("w", 30, per_user=1) is None  # alice's second waits for her first


def test_an_expired_lease_puts_the_job_back_and_the_old_owner_cannot_finish(
    people: Database,
) -> None:
    clock = Clock()
    q = queue(people, clock)
    job = q.enqueue(NewJob(1, "k", {}, max_attempts=2))
    assert q.claim("dead-worker", 30, 1) is not None
    clock.now += 31
    assert [j.status for j in q.reclaim_expired()] == ["queued"]
    again = q.claim("new-worker", 30, 1)
    assert again is not None and again.attempts == 2
    assert not q.finish(job.id, "dead-worker", {})
    assert q.finish(job.id, "new-worker", {"ok": 1})
    done = q.get(1, job.id)
    assert done is not None and (done.status, done.result) == ("done", {"ok": 1})


def test_failures_back_off_then_land_in_the_dead_letter_list(people: Database) -> None:
    clock = Clock()
    q = queue(people, clock)
    job = q.enqueue(NewJob(1, "k", {}, max_attempts=2))
    q.claim("w", 30, 1)
    later = q.fail(job.id, "w", code="transport", message="cut", retry_in=10)
    assert later is not None and (later.status, later.run_after) == ("queued", 1010)
    assert q.claim("w", 30, 1) is None  # not before its time
    clock.now += 10
    q.claim("w", 30, 1)
    dead = q.fail(job.id, "w", code="transport", message="cut again", retry_in=10)
    assert dead is not None and (dead.status, dead.message) == ("dead", "cut again")
    assert [j.id for j in q.list(1, "dead", 10)] == [job.id]
    assert q.list(2, "dead", 10) == []
    revived = q.retry(1, job.id)
    assert revived is not None and (revived.status, revived.attempts) == ("queued", 0)


def test_arrivals_collect_into_a_waiting_job(people: Database) -> None:
    clock = Clock()
    q = queue(people, clock)
    q.enqueue(NewJob(1, "k", {"items": ["a"]}, delay=5, collect_key="rule:1"))
    clock.now += 3
    joined = q.collect("rule:1", "b", settle=5)
    assert joined is not None and joined.payload["items"] == ["a", "b"]
    assert joined.run_after == 1008
    clock.now += 6
    assert q.claim("w", 30, 1) is not None
    assert q.collect("rule:1", "c", settle=5) is None  # running: a new job starts instead


def run_worker(
    database: Database, handler: Any, settings: WorkerSettings, until: Any
) -> list[tuple[int, str]]:
    finished: list[tuple[int, str]] = []

    async def told(job: Job, status: str) -> None:
        finished.append((job.id, status))

    async def main() -> None:
        worker = JobWorker(queue(database, time.time), {"k": handler}, settings, on_finished=told)  # type: ignore[arg-type]
        await worker.start()
        deadline = time.monotonic() + 20
        while not until(finished) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await worker.stop()

    asyncio.run(main())
    return finished


FAST = WorkerSettings(slots=2, per_user=2, lease=5, renew_every=0.05, poll=0.05, retry_base=0.05)


def test_the_worker_retries_a_retryable_failure_and_not_a_bad_input(people: Database) -> None:
    q = queue(people, time.time)
    flaky = q.enqueue(NewJob(1, "k", {"fail": "transport"}, max_attempts=3))
    bad = q.enqueue(NewJob(1, "k", {"fail": "input"}, max_attempts=3))
    calls: dict[int, int] = {}

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        calls[job.id] = calls.get(job.id, 0) + 1
        if job.payload["fail"] == "transport" and calls[job.id] < 3:
            raise TransportError("the disk went away")
        if job.payload["fail"] == "input":
            raise ActionError("not an image")
        return {"calls": calls[job.id]}

    finished = run_worker(people, handler, FAST, lambda f: len(f) == 2)
    assert sorted(finished) == [(flaky.id, "done"), (bad.id, "dead")]
    assert calls == {flaky.id: 3, bad.id: 1}
    dead = q.get(1, bad.id)
    assert dead is not None and (dead.error_code, dead.message) == ("action", "not an image")


def run_telling_worker(database: Database, handler: Any, on_changed: Any) -> list[tuple[int, str]]:
    """Run ``handler``'s jobs to their end with ``on_changed`` listening; the final statuses."""
    finished: list[tuple[int, str]] = []

    async def told(job: Job, status: str) -> None:
        finished.append((job.id, status))

    async def main() -> None:
        jobs = queue(database, time.time)
        worker = JobWorker(jobs, {"k": handler}, FAST, on_finished=told, on_changed=on_changed)
        await worker.start()
        deadline = time.monotonic() + 20
        while not finished and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await worker.stop()

    asyncio.run(main())
    return finished


def test_a_start_each_tenth_of_progress_and_each_retry_are_told(people: Database) -> None:
    job = queue(people, time.time).enqueue(NewJob(1, "k", {}, max_attempts=3))
    changed: list[tuple[str, str, int, float]] = []

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        if job.attempts == 1:
            raise TransportError("the disk went away")
        for share in (0.05, 0.25, 0.27, 0.6):  # each held over a few renewals
            control.report(share)
            await asyncio.sleep(0.2)
        return {}

    async def on_changed(job: Job, what: str) -> None:
        changed.append((what, job.status, job.attempts, job.progress))

    assert run_telling_worker(people, handler, on_changed) == [(job.id, "done")]
    assert changed == [
        ("started", "running", 1, 0.0),
        ("retrying", "queued", 1, 0.0),
        ("started", "running", 2, 0.0),
        ("progress", "running", 2, 0.25),  # 0.05 is no tenth yet, 0.27 the same tenth
        ("progress", "running", 2, 0.6),
    ]


def test_a_listener_that_fails_never_fails_the_job(people: Database) -> None:
    job = queue(people, time.time).enqueue(NewJob(1, "k", {}))

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        return {"made": True}

    async def on_changed(job: Job, what: str) -> None:
        raise OSError("the events store is gone")

    assert run_telling_worker(people, handler, on_changed) == [(job.id, "done")]
    done = queue(people).get(1, job.id)
    assert done is not None and (done.status, done.attempts) == ("done", 1)


def test_cancel_reaches_a_running_job_and_progress_is_stored(people: Database) -> None:
    q = queue(people, time.time)
    job = q.enqueue(NewJob(1, "k", {}))

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        control.report(0.4)
        while not control.cancelled():
            await asyncio.sleep(0.01)
            seen = q.get(1, job.id)
            if seen is not None and seen.progress == 0.4 and not seen.cancel_requested:
                q.cancel(1, job.id)
        raise CancelledByUserError("stopped")

    finished = run_worker(people, handler, FAST, lambda f: bool(f))
    assert finished == [(job.id, "cancelled")]
    stopped = q.get(1, job.id)
    assert stopped is not None and stopped.status == "cancelled"


def test_stopping_the_worker_stops_the_action_and_gives_the_job_back(people: Database) -> None:
    q = queue(people, time.time)
    job = q.enqueue(NewJob(1, "k", {}))
    started = asyncio.Event()

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        started.set()
        while not control.cancelled():  # what run_limited does every 50 ms
            await asyncio.sleep(0.01)
        raise CancelledByUserError("stopped")

    async def main() -> float:
        worker = JobWorker(queue(people, time.time), {"k": handler}, FAST)
        await worker.start()
        await asyncio.wait_for(started.wait(), 10)
        begun = time.monotonic()
        await worker.stop()
        return time.monotonic() - begun

    assert asyncio.run(main()) < 1.0
    back = q.get(1, job.id)
    assert back is not None and (back.status, back.attempts, back.lease_owner) == ("queued", 0, "")


class CountedQueue(DatabaseJobQueue):
    """The real queue, counting how often the worker looks for dead workers' jobs."""

    reclaims = 0

    def reclaim_expired(self) -> list[Job]:
        self.reclaims += 1
        return super().reclaim_expired()


def test_a_dead_workers_job_is_taken_up_and_lapsed_leases_are_not_sought_every_poll(
    people: Database,
) -> None:
    q = CountedQueue(people, time.time)
    job = q.enqueue(NewJob(1, "k", {}, max_attempts=3))
    assert q.claim("dead-worker", 0.3, 1) is not None  # its worker dies: no one renews
    settings = WorkerSettings(slots=1, per_user=1, lease=1.0, renew_every=0.05, poll=0.02)
    assert settings.reclaim_every == 0.5
    finished: list[tuple[int, str]] = []

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        return {"attempt": job.attempts}

    async def told(job: Job, status: str) -> None:
        finished.append((job.id, status))

    async def main() -> tuple[float, float]:
        worker = JobWorker(q, {"k": handler}, settings, on_finished=told)
        begun = time.monotonic()
        await worker.start()
        while not finished and time.monotonic() - begun < 10:
            await asyncio.sleep(0.02)
        took = time.monotonic() - begun
        await asyncio.sleep(0.3)  # 15 more polls
        await worker.stop()
        return took, time.monotonic() - begun

    took, ran = asyncio.run(main())
    assert finished == [(job.id, "done")]
    assert took < 0.3 + settings.reclaim_every + 0.5  # its lease, then the next look
    done = q.get(1, job.id)
    assert done is not None and done.result == {"attempt": 2}
    # At start, then each half lease: not at each of the polls.
    assert 2 <= q.reclaims <= 1 + ran / settings.reclaim_every


def test_a_job_whose_worker_died_on_its_last_attempt_is_given_up_and_told(
    people: Database,
) -> None:
    q = queue(people, time.time)
    job = q.enqueue(NewJob(1, "k", {}, max_attempts=1))
    assert q.claim("dead-worker", 0.1, 1) is not None  # its worker dies: no one renews
    time.sleep(0.2)

    async def handler(job: Job, control: JobControl) -> dict[str, Any]:
        raise AssertionError("a job given up is not run again")

    finished = run_worker(people, handler, FAST, lambda f: bool(f))
    assert finished == [(job.id, "dead")]
    dead = q.get(1, job.id)
    assert dead is not None and (dead.status, dead.attempts) == ("dead", 1)
    assert "on its last attempt" in dead.message


def test_a_buried_job_is_a_dead_letter_with_its_reason_until_retried(people: Database) -> None:
    clock = Clock()
    jobs = queue(people, clock)
    buried = jobs.bury(NewJob(1, "k", {"rule": 7}), code="handoff_failed", message="why")
    assert (buried.status, buried.error_code, buried.message) == ("dead", "handoff_failed", "why")
    assert buried.finished_at == 1000.0 and buried.attempts == 0
    assert [job.id for job in jobs.list(1, "dead", 10)] == [buried.id]
    assert jobs.claim("o", 30, per_user=1) is None, "a dead letter is not run"
    retried = jobs.retry(1, buried.id)
    assert retried is not None and retried.status == "queued" and retried.message == ""
    claimed = jobs.claim("o", 30, per_user=1)
    assert claimed is not None and claimed.id == buried.id
