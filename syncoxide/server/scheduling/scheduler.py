"""The task that starts due rules, running for the life of the server (the app's lifespan).

Sync rules and backup rules are both scheduled this way. Schedules live in the database
(``next_run_at``), so a restarted server picks them up where they were. Each tick asks the
store for due rules and starts each one that is not already running; ``wake()`` makes "run
now" start without waiting a tick. Other work that must stop with the server (a restore, a
changes feed poller) runs as a task here too, so stopping the server stops it cleanly.

Alone, a server marks the runs its last stop left unfinished as interrupted when it starts.
With several instances (docs/scaling.md) each run is held under a job lease in the shared
database (storage/leases.py): an instance starts a due rule only once it took the lease and
saw the rule still due, renews the lease while the run goes on and gives the run up if it
lost it; instead of marking every 'running' rule at start (which would cut the runs of the
other instances), each tick marks only those whose lease lapsed (``_reap_lapsed``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, Protocol, TypeVar

from syncoxide.server.storage.leases import JobLeases, run_leased
from syncoxide.waiting import wait_for_event

TICK_SECONDS = 1.0


class ScheduledRule(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def next_run_at(self) -> int: ...


RuleT = TypeVar("RuleT", bound=ScheduledRule)
RuleT_co = TypeVar("RuleT_co", bound=ScheduledRule, covariant=True)


class DueStore(Protocol[RuleT_co]):
    async def due_rules(self, now: int) -> Sequence[RuleT_co]: ...
    async def interrupted_at_start(self, now: int) -> int: ...
    async def rule(self, user_id: int, rule_id: int) -> RuleT_co | None: ...


class RuleRunner(Protocol[RuleT]):
    """What runs one rule: claims it (synchronously, so a rule never runs twice at once),
    then runs the claimed rule to its end."""

    @property
    def store(self) -> DueStore[RuleT]: ...
    @property
    def running(self) -> set[int]: ...
    @property
    def clock(self) -> Callable[[], int]: ...
    def claim(self, rule_id: int) -> None: ...
    def run_claimed(self, rule: RuleT, trigger: str) -> Coroutine[Any, Any, object]: ...


class DueRuleScheduler(Generic[RuleT]):
    #: The log that says how many runs the last stop interrupted.
    log = logging.getLogger("syncoxide.server.scheduling")
    #: That log line, given the number of interrupted runs.
    interrupted_words = "%d runs were interrupted by the last stop"
    #: This kind of rule's job names under a lease: ``<job_kind>:<rule id>``.
    job_kind = "rule"
    #: Runs of this kind at once in this instance (None: no limit); due ones wait for a slot,
    #: and a run that ends wakes the loop so the next one takes it at once.
    max_runs: int | None = None

    def __init__(
        self,
        runner: RuleRunner[RuleT],
        tick_seconds: float = TICK_SECONDS,
        *,
        leases: JobLeases | None = None,
    ) -> None:
        self.runner = runner
        self.tick_seconds = tick_seconds
        self.leases = leases
        self._loop_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        # An asyncio.Event belongs to the loop that first waits on it; a server (or a test
        # client) that starts again runs on a new loop, so each start gets its own.
        self._wake = asyncio.Event()
        if self.leases is None:
            interrupted = await self.runner.store.interrupted_at_start(self.runner.clock())
            if interrupted:
                self.log.warning(self.interrupted_words, interrupted)
        self._loop_task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop_task = None

    def wake(self) -> None:
        self._wake.set()

    def job(self, rule_id: int) -> str:
        return f"{self.job_kind}:{rule_id}"

    def start_run(self, rule: RuleT, trigger: str) -> None:
        """Run ``rule`` in the background; the runner's AlreadyRunning error if it is running."""
        self.runner.claim(rule.id)
        self.background(
            self._leased_run(rule, trigger, lambda: self.runner.run_claimed(rule, trigger))
        )

    async def _leased_run(
        self, rule: RuleT, trigger: str, run: Callable[[], Coroutine[Any, Any, object]]
    ) -> object:
        """``run()`` for a claimed rule; under its lease when instances share the work."""
        try:
            if self.leases is None:
                return await run()
            ran, result = await run_leased(
                self.leases,
                self.job(rule.id),
                run,
                # Another instance may have run it between our look at due rules and the lease.
                still_due=(lambda: self._due_now(rule)) if trigger == "schedule" else None,
            )
            if not ran:
                self.log.info("%s runs or ran on another instance", self.job(rule.id))
            return result
        finally:
            self.runner.running.discard(rule.id)  # run_claimed also does, when it ran
            if self.max_runs is not None:
                self.wake()  # a slot is free

    def background(self, work: Coroutine[Any, Any, object], job: str | None = None) -> None:
        """Run ``work`` as a task the server's stop cancels and waits for; under the lease on
        ``job`` when instances share the work (a restore: its instance may die mid-way)."""
        task: asyncio.Task[Any]
        if job is not None and self.leases is not None:
            leases = self.leases

            async def leased() -> None:
                ran, _ = await run_leased(leases, job, lambda: work)
                if not ran:
                    work.close()  # never started: another instance holds the job

            task = asyncio.create_task(leased())
        else:
            task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _loop(self) -> None:
        while True:
            if self.leases is not None:
                await self._reap_lapsed(self.leases)
            await self._start_due()
            await self.tick_work()
            self._wake.clear()
            await wait_for_event(self._wake, self.tick_seconds)

    async def _start_due(self) -> None:
        for rule in await self.runner.store.due_rules(self.runner.clock()):
            if self.max_runs is not None and len(self.runner.running) >= self.max_runs:
                return
            if rule.id not in self.runner.running and await self._still_due(rule):
                self.start_run(rule, "schedule")

    async def tick_work(self) -> None:
        """Work of this kind's own, done each tick after the due runs started (none here)."""

    async def _still_due(self, rule: RuleT) -> bool:
        """With leases: false while another instance holds the rule (saves a lease attempt)."""
        if self.leases is None:
            return True
        holder = await self.leases.holder_of(self.job(rule.id))
        return holder is None or holder == self.leases.holder

    async def _due_now(self, rule: RuleT) -> bool:
        """The rule's row read again under the lease still says it is due."""
        fresh = await self.runner.store.rule(rule.user_id, rule.id)
        now = self.runner.clock()
        return fresh is not None and fresh.status == rule.status and fresh.next_run_at <= now

    async def _reap_lapsed(self, leases: JobLeases) -> None:
        """Mark interrupted the runs that an instance whose lease lapsed left 'running'."""
        raise NotImplementedError
