"""The task that starts due backup rules, for the life of the server (the app's lifespan).

Schedules live in the database (``next_run_at``), so a restarted server picks them up where
they were; runs a stopped server left unfinished are marked interrupted at start. Restores
into providers run as tasks here too, so stopping the server stops them cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from syncoxide.server.backups.runner import BackupRunner
from syncoxide.server.backups.store import BackupRule

log = logging.getLogger("syncoxide.server.backups")
TICK_SECONDS = 1.0


class BackupScheduler:
    def __init__(self, runner: BackupRunner, tick_seconds: float = TICK_SECONDS) -> None:
        self.runner = runner
        self.tick_seconds = tick_seconds
        self._loop_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
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
        self.background(self.runner.run_claimed(rule, trigger))

    def background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _loop(self) -> None:
        while True:
            for rule in await self.runner.store.due_rules(self.runner.clock()):
                if rule.id not in self.runner.running:
                    self.start_run(rule, "schedule")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)
