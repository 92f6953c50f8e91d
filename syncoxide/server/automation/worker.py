"""The worker: claims jobs from the queue and runs them, a few at a time, renewing their leases.

Each server process runs one worker with its own owner id. A claimed job's handler runs as an
asyncio task; a companion loop renews the lease every ``renew_every`` seconds, stores the
progress the handler reported, and turns a cancel asked through the API into ``JobControl``'s
``cancelled`` flag, which the action's process runner checks every 50 ms (``stop_here`` sets it
at once when the cancel reached this process directly or on the bus). Jobs whose worker
died (its lease lapsed) go back to the queue when the worker starts and every half lease after.

Failures: a retryable error (``SyncoxideError.retryable``) or an unexpected exception is tried
again after a growing delay (``syncoxide.automation.backoff``); any other error of our tree
(bad input, a file too large, a time limit) will not get better, so the job goes straight to
the dead-letter list with its message.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from syncoxide.automation.backoff import retry_delay
from syncoxide.errors import CancelledByUserError, SyncoxideError
from syncoxide.server.automation.queue import DEAD, Job, JobQueue
from syncoxide.waiting import wait_for_event

log = logging.getLogger("syncoxide.server.jobs")


@dataclass
class JobControl:
    """What a running handler reports to, and reads from, its worker (thread-safe)."""

    progress: float = 0.0
    _cancel: threading.Event = field(default_factory=threading.Event)

    def report(self, fraction: float) -> None:
        self.progress = max(0.0, min(fraction, 1.0))

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def ask_to_cancel(self) -> None:
        self._cancel.set()


JobHandler = Callable[[Job, JobControl], Awaitable[dict[str, Any]]]
#: Told a job's final status: ``done``, ``cancelled``, ``failed`` or ``dead``.
Finished = Callable[[Job, str], Awaitable[None]]
#: Told what a job did short of finishing: ``started`` (claimed here, its action begins),
#: ``progress`` (its reported share reached another tenth; the job carries it) and
#: ``retrying`` (it failed and waits for another try).
Changed = Callable[[Job, str], Awaitable[None]]


@dataclass(frozen=True)
class WorkerSettings:
    slots: int = 2  # jobs at once in this process (the actions are CPU-bound)
    per_user: int = 1  # jobs at once per user, over every process
    lease: float = 30.0
    renew_every: float = 1.0
    poll: float = 1.0
    retry_base: float = 5.0

    @property
    def reclaim_every(self) -> float:
        """How often to look for jobs whose worker died: at start, then every half lease.

        A lease lapses only ``lease`` seconds after its worker's last renewal, so looking at
        every poll costs a write per second for nothing; at half a lease a dead worker's job
        waits at most one and a half leases."""
        return max(self.poll, self.lease / 2)


async def _nothing_to_tell(job: Job, status: str) -> None:
    return None


class JobWorker:
    def __init__(
        self,
        queue: JobQueue,
        handlers: dict[str, JobHandler],
        settings: WorkerSettings | None = None,
        *,
        on_finished: Finished = _nothing_to_tell,
        on_changed: Changed = _nothing_to_tell,
    ) -> None:
        self.queue = queue
        self.handlers = handlers
        self.settings = settings or WorkerSettings()
        self.owner = f"worker-{secrets.token_hex(6)}"
        self.on_finished = on_finished
        self.on_changed = on_changed
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._controls: dict[int, JobControl] = {}
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False
        self._next_reclaim = 0.0  # monotonic time of the next look for dead workers' jobs

    async def start(self) -> None:
        self._wake = asyncio.Event()  # one per loop: a restarted server runs on a new one
        self._stopping = False
        self._next_reclaim = 0.0  # at once: the jobs our own last stop left running
        self._loop = asyncio.create_task(self._claim_loop())

    async def stop(self, grace: float = 5.0) -> None:
        """Stop claiming, stop the running actions (their process groups are killed within
        50 ms) and give their jobs back to the queue, so the server's shutdown never waits for
        a long conversion and the jobs run again at the next start."""
        self._stopping = True
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        for control in self._controls.values():
            control.ask_to_cancel()
        running = list(self._running)
        if running:
            await asyncio.wait(running, timeout=grace)
        for task in running:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """A job was queued in this process: look now rather than at the next poll."""
        self._wake.set()

    def stop_here(self, job_id: int) -> bool:
        """A cancel was asked for the job: stop its action now if it runs in this process
        (rather than at the next lease renewal); whether it does."""
        control = self._controls.get(job_id)
        if control is None:
            return False
        control.ask_to_cancel()
        return True

    async def _claim_loop(self) -> None:
        # Not ``while True``: asyncio.wait_for in Python 3.11 can swallow the cancellation that
        # stop() sends when the wake event fires at the same moment, and the loop would then run
        # on for ever while stop() waits for it.
        while not self._stopping:
            try:
                await self._reclaim_when_due()
                while len(self._running) < self.settings.slots:
                    job = self.queue.claim(self.owner, self.settings.lease, self.settings.per_user)
                    if job is None:
                        break
                    task = asyncio.create_task(self._run(job))
                    self._running.add(task)
                    task.add_done_callback(self._done)
            except Exception:
                log.exception("claiming jobs failed; trying again shortly")
            await wait_for_event(self._wake, self.settings.poll)
            self._wake.clear()

    async def _reclaim_when_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_reclaim:
            self._next_reclaim = now + self.settings.reclaim_every
            for job in self.queue.reclaim_expired():
                if job.status == DEAD:  # its last attempt: given up, said as a failure is
                    await self.on_finished(job, DEAD)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()  # a slot is free

    async def _run(self, job: Job) -> None:
        control = self._controls[job.id] = JobControl()
        await self._tell_changed(job, "started")
        renewing = asyncio.create_task(self._renew(job, control))
        try:
            handler = self.handlers[job.kind]
            result = await handler(job, control)
        except CancelledByUserError:
            if self._stopping:
                self.queue.release(job.id, self.owner)
            elif self.queue.stop_cancelled(job.id, self.owner):
                await self.on_finished(job, "cancelled")
            return
        except SyncoxideError as error:
            await self._failed(job, error.code, str(error), retry=error.retryable)
            return
        except Exception as error:  # a bug or an IO hiccup: worth another try
            log.exception("job %s failed unexpectedly", job.id)
            await self._failed(job, "internal", f"{type(error).__name__}: {error}", retry=True)
            return
        finally:
            renewing.cancel()
            self._controls.pop(job.id, None)
        if self.queue.finish(job.id, self.owner, result):
            await self.on_finished(job, "done")

    async def _failed(self, job: Job, code: str, message: str, *, retry: bool) -> None:
        delay = retry_delay(job.attempts, random.random(), base=self.settings.retry_base)  # noqa: S311
        after = self.queue.fail(
            job.id, self.owner, code=code, message=message, retry_in=delay if retry else None
        )
        if after is not None and after.status != "queued":
            await self.on_finished(after, after.status)
        elif after is not None:
            await self._tell_changed(after, "retrying")

    async def _tell_changed(self, job: Job, what: str) -> None:
        """Tell ``on_changed``; a listener failing (the events store busy, say) is logged and
        never fails or stops the job it was told about."""
        try:
            await self.on_changed(job, what)
        except Exception:
            log.exception("telling that job %s is %s failed", job.id, what)

    async def _renew(self, job: Job, control: JobControl) -> None:
        told = 0  # tenths of progress told: a long action tells ten times, not every renewal
        while True:
            await asyncio.sleep(self.settings.renew_every)
            progress = control.progress
            asked = self.queue.renew(job.id, self.owner, self.settings.lease, progress)
            if asked or asked is None:  # cancelled, or the lease is lost: stop the action
                control.ask_to_cancel()
            elif told < int(progress * 10) < 10:
                told = int(progress * 10)
                await self._tell_changed(dataclasses.replace(job, progress=progress), "progress")
