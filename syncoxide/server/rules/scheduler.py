"""The task that starts due rules, running for the life of the server (the app's lifespan).

Schedules live in the database (``next_run_at``), so a restarted server picks them up where
they were; runs a stopped server left unfinished are marked interrupted at start, and their
journals are resumed by the next run. Each tick asks the store for due rules and starts each
one that is not already running; ``wake()`` makes "run now" start without waiting a tick.
Rules that also run on change are made due by ``ChangeWatcher``, polled every
``watch_seconds``, and, where they read the server's own storage, by ``WriteTrigger`` as soon as
a file there changes (on_write.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from syncoxide.server.rules.on_write import WriteTrigger
from syncoxide.server.rules.runner import RuleRunner
from syncoxide.server.rules.store import Rule, RuleRun
from syncoxide.server.rules.watcher import ChangeWatcher

log = logging.getLogger("syncoxide.server.rules")
TICK_SECONDS = 1.0
WATCH_SECONDS = 5.0  # one cheap feed call per watched rule; the CLI's --feed-interval too


class RuleScheduler:
    def __init__(
        self,
        runner: RuleRunner,
        watcher: ChangeWatcher,
        tick_seconds: float = TICK_SECONDS,
        watch_seconds: float = WATCH_SECONDS,
    ) -> None:
        self.runner = runner
        self.watcher = watcher
        self.tick_seconds = tick_seconds
        self.watch_seconds = watch_seconds
        self._loop_task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._runs: set[asyncio.Task[RuleRun]] = set()
        self._wake = asyncio.Event()
        self.write_trigger: WriteTrigger | None = None

    async def start(self) -> None:
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
        if self.write_trigger is not None:
            await self.write_trigger.stop()

    def wake(self) -> None:
        self._wake.set()

    def start_run(self, rule: Rule, trigger: str, *, proceed: bool = False) -> None:
        """Run ``rule`` in the background; ``RuleAlreadyRunning`` if it is running.

        ``proceed``: this one run goes on past the safety stops (the user said so)."""
        self.runner.claim(rule.id)
        task = asyncio.create_task(self.runner.run_claimed(rule, trigger, proceed=proceed))
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)

    async def _loop(self) -> None:
        while True:
            for rule in await self.runner.store.due_rules(self.runner.clock()):
                if rule.id not in self.runner.running:
                    self.start_run(rule, "schedule")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)

    async def _watch(self) -> None:
        """Changes feeds are polled apart from the tick: a slow provider delays no run."""
        while True:
            await asyncio.sleep(self.watch_seconds)
            if await self.watcher.poll():
                self.wake()
