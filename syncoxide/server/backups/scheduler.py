"""The task that starts due backup rules, for the life of the server (the app's lifespan).

Schedules live in the database (``next_run_at``), so a restarted server picks them up where
they were; runs a stopped server left unfinished are marked interrupted at start. Restores
into providers run as tasks here too, so stopping the server stops them cleanly.

With several instances each backup run and restore holds a job lease, exactly as sync rules
do (rules/scheduler.py): one runner per rule across instances, and the cut runs of a dead
instance are marked interrupted once its leases lapse, instead of at every start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from syncoxide.server.backups.runner import BackupRunner
from syncoxide.server.backups.store import BackupRule
from syncoxide.server.storage.leases import JobLeases, lapsed_jobs, run_leased

log = logging.getLogger("syncoxide.server.backups")
TICK_SECONDS = 1.0


class BackupScheduler:
    def __init__(
        self,
        runner: BackupRunner,
        tick_seconds: float = TICK_SECONDS,
        leases: JobLeases | None = None,
    ) -> None:
        self.runner = runner
        self.leases = leases
        self.tick_seconds = tick_seconds
        self._loop_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        if self.leases is None:
            interrupted = await self.runner.store.interrupted_at_start(self.runner.clock())
            if interrupted:
                log.warning("%d backup runs were interrupted by the last stop", interrupted)
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

    def start_run(self, rule: BackupRule, trigger: str) -> None:
        """Run ``rule`` in the background; ``BackupAlreadyRunning`` if it is running."""
        self.runner.claim(rule.id)
        self.background(self._leased_run(rule, trigger))

    async def _leased_run(self, rule: BackupRule, trigger: str) -> None:
        if self.leases is None:
            await self.runner.run_claimed(rule, trigger)
            return
        try:
            ran, _ = await run_leased(
                self.leases,
                f"backup:{rule.id}",
                lambda: self.runner.run_claimed(rule, trigger),
                still_due=(lambda: self._due_now(rule)) if trigger == "schedule" else None,
            )
        finally:
            self.runner.running.discard(rule.id)
        if not ran:
            log.info("backup rule %d runs or ran on another instance", rule.id)

    async def _due_now(self, rule: BackupRule) -> bool:
        fresh = await self.runner.store.rule(rule.user_id, rule.id)
        now = self.runner.clock()
        return fresh is not None and fresh.status == rule.status and fresh.next_run_at <= now

    def background(self, work: Coroutine[Any, Any, Any], job: str | None = None) -> None:
        """Run ``work`` as a task the scheduler stops; under the lease on ``job`` when
        instances share the work (a restore: its instance may die mid-way)."""
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
            for rule in await self.runner.store.due_rules(self.runner.clock()):
                if rule.id not in self.runner.running:
                    self.start_run(rule, "schedule")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)

    async def _reap_lapsed(self, leases: JobLeases) -> None:
        """Runs and restores left 'running' by an instance whose lease lapsed."""
        now = self.runner.clock()
        rules, restores = await self.runner.store.marked_running(now - leases.seconds)
        jobs = [f"backup:{n}" for n in rules if n not in self.runner.running]
        jobs += [f"restore:{n}" for n in restores]
        async for job in lapsed_jobs(leases, jobs):
            kind, number = job.split(":")
            if kind == "backup":
                await self.runner.store.interrupt_rule(int(number), now)
            else:
                await self.runner.store.interrupt_restore(int(number), now)
            log.warning("%s: its instance stopped during the work; marked interrupted", job)
