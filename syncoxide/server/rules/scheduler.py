"""The task that starts due rules, running for the life of the server (the app's lifespan).

Schedules live in the database (``next_run_at``), so a restarted server picks them up where
they were; runs a stopped server left unfinished are marked interrupted at start, and their
journals are resumed by the next run. Each tick asks the store for due rules and starts each
one that is not already running; ``wake()`` makes "run now" start without waiting a tick.
Rules that also run on change are made due by ``ChangeWatcher``, polled every
``watch_seconds``.

With several instances (docs/scaling.md) each run is held under a job lease in the shared
database (storage/leases.py): an instance starts a due rule only once it took the lease and
saw the rule still due, renews the lease while the run goes on and gives the run up if it
lost it. Instead of marking every 'running' rule interrupted at start (which would cut the
runs of the other instances), each tick marks only those whose lease has lapsed: their
instance died, and the rule becomes due again for any instance to resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from syncoxide.server.rules.runner import RuleRunner
from syncoxide.server.rules.store import Rule, RuleRun
from syncoxide.server.rules.watcher import ChangeWatcher
from syncoxide.server.storage.leases import JobLeases, lapsed_jobs, run_leased

log = logging.getLogger("syncoxide.server.rules")
TICK_SECONDS = 1.0
WATCH_SECONDS = 15.0


class RuleScheduler:
    def __init__(
        self,
        runner: RuleRunner,
        watcher: ChangeWatcher,
        tick_seconds: float = TICK_SECONDS,
        watch_seconds: float = WATCH_SECONDS,
        leases: JobLeases | None = None,
    ) -> None:
        self.runner = runner
        self.watcher = watcher
        self.tick_seconds = tick_seconds
        self.watch_seconds = watch_seconds
        self._loop_task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self.leases = leases
        self._runs: set[asyncio.Task[RuleRun | None]] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        if self.leases is None:
            interrupted = await self.runner.store.interrupted_at_start(self.runner.clock())
            if interrupted:
                log.warning("%d rule runs were interrupted by the last stop; resuming", interrupted)
        self._loop_task = asyncio.create_task(self._loop())
        self._watch_task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, self._watch_task, *self._runs) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop_task = self._watch_task = None

    def wake(self) -> None:
        self._wake.set()

    def start_run(self, rule: Rule, trigger: str, *, proceed: bool = False) -> None:
        """Run ``rule`` in the background; ``RuleAlreadyRunning`` if it is running.

        ``proceed``: this one run goes on past the safety stops (the user said so)."""
        self.runner.claim(rule.id)
        task = asyncio.create_task(self._leased_run(rule, trigger, proceed))
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)

    async def _leased_run(self, rule: Rule, trigger: str, proceed: bool) -> RuleRun | None:
        if self.leases is None:
            return await self.runner.run_claimed(rule, trigger, proceed=proceed)
        try:
            ran, run = await run_leased(
                self.leases,
                _job(rule.id),
                lambda: self.runner.run_claimed(rule, trigger, proceed=proceed),
                # Another instance may have run it between our look at due rules and the lease.
                still_due=(lambda: self._due_now(rule)) if trigger == "schedule" else None,
            )
        finally:
            self.runner.running.discard(rule.id)  # run_claimed also does, when it ran
        if not ran:
            log.info("rule %d runs or ran on another instance; not starting it here", rule.id)
        return run

    async def _loop(self) -> None:
        while True:
            if self.leases is not None:
                await self._reap_lapsed()
            for rule in await self.runner.store.due_rules(self.runner.clock()):
                if rule.id not in self.runner.running and await self._still_due(rule):
                    self.start_run(rule, "schedule")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)

    async def _still_due(self, rule: Rule) -> bool:
        """With leases: false while another instance holds the rule (saves a lease attempt)."""
        if self.leases is None:
            return True
        holder = await self.leases.holder_of(_job(rule.id))
        return holder is None or holder == self.leases.holder

    async def _due_now(self, rule: Rule) -> bool:
        """The rule's row read again under the lease still says it is due."""
        fresh = await self.runner.store.rule(rule.user_id, rule.id)
        now = self.runner.clock()
        return fresh is not None and fresh.status == rule.status and fresh.next_run_at <= now

    async def _reap_lapsed(self) -> None:
        """Rules left 'running' by an instance whose lease lapsed: mark the cut run."""
        assert self.leases is not None
        marked = await self.runner.store.rules_marked_running()
        jobs = [_job(rule_id) for rule_id in marked if rule_id not in self.runner.running]
        async for job in lapsed_jobs(self.leases, jobs):
            rule_id = int(job.split(":")[1])
            await self.runner.store.interrupt_rule(rule_id, self.runner.clock())
            log.warning("rule %d: its instance stopped during a run; resuming it", rule_id)

    async def _watch(self) -> None:
        """Changes feeds are polled apart from the tick: a slow provider delays no run."""
        while True:
            await asyncio.sleep(self.watch_seconds)
            if await self.watcher.poll():
                self.wake()


def _job(rule_id: int) -> str:
    return f"rule:{rule_id}"
