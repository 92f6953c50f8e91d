"""The task that starts due sync rules, for the life of the server (the app's lifespan).

The loop is the one every scheduled rule shares (``scheduling.scheduler``); runs a stopped
server left unfinished have their journals resumed by the next run. Rules that also run on
change are made due by ``ChangeWatcher``, polled every ``watch_seconds``.
"""

from __future__ import annotations

import asyncio
import logging

from syncoxide.server.rules.runner import RuleRunner
from syncoxide.server.rules.store import Rule
from syncoxide.server.rules.watcher import ChangeWatcher
from syncoxide.server.scheduling.scheduler import TICK_SECONDS, DueRuleScheduler

WATCH_SECONDS = 15.0


class RuleScheduler(DueRuleScheduler[Rule]):
    log = logging.getLogger("syncoxide.server.rules")
    interrupted_words = "%d rule runs were interrupted by the last stop; resuming"

    def __init__(
        self,
        runner: RuleRunner,
        watcher: ChangeWatcher,
        tick_seconds: float = TICK_SECONDS,
        watch_seconds: float = WATCH_SECONDS,
    ) -> None:
        super().__init__(runner, tick_seconds)
        self.runner: RuleRunner = runner
        self.watcher = watcher
        self.watch_seconds = watch_seconds

    async def start(self) -> None:
        await super().start()
        self.background(self._watch())

    def start_run(self, rule: Rule, trigger: str, *, proceed: bool = False) -> None:
        """Run ``rule`` in the background; ``RuleAlreadyRunning`` if it is running.

        ``proceed``: this one run goes on past the safety stops (the user said so)."""
        self.runner.claim(rule.id)
        self.background(self.runner.run_claimed(rule, trigger, proceed=proceed))

    async def _watch(self) -> None:
        """Changes feeds are polled apart from the tick: a slow provider delays no run."""
        while True:
            await asyncio.sleep(self.watch_seconds)
            if await self.watcher.poll():
                self.wake()
