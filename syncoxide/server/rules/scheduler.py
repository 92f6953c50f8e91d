"""The task that starts due sync rules, for the life of the server (the app's lifespan).

The loop, the leases for several instances and the background tasks are the ones every
scheduled rule shares (``scheduling.scheduler``); runs a stopped server left unfinished have
their journals resumed by the next run. Rules that also run on change are made due by
``ChangeWatcher``, polled every ``watch_seconds``, and, where they read the server's own
storage, by ``WriteTrigger`` as soon as a file there changes (on_write.py).
"""

from __future__ import annotations

import asyncio
import functools
import logging

from syncoxide.server.rules.on_write import WriteTrigger
from syncoxide.server.rules.runner import RuleRunner
from syncoxide.server.rules.store import Rule
from syncoxide.server.rules.watcher import ChangeWatcher
from syncoxide.server.scheduling.scheduler import TICK_SECONDS, DueRuleScheduler
from syncoxide.server.storage.leases import JobLeases, lapsed_jobs

WATCH_SECONDS = 5.0  # one cheap feed call per watched rule; the CLI's --feed-interval too


class RuleScheduler(DueRuleScheduler[Rule]):
    log = logging.getLogger("syncoxide.server.rules")
    interrupted_words = "%d rule runs were interrupted by the last stop; resuming"
    job_kind = "rule"

    def __init__(
        self,
        runner: RuleRunner,
        watcher: ChangeWatcher,
        *,
        tick_seconds: float = TICK_SECONDS,
        watch_seconds: float = WATCH_SECONDS,
        leases: JobLeases | None = None,
    ) -> None:
        super().__init__(runner, tick_seconds, leases=leases)
        self.runner: RuleRunner = runner
        self.watcher = watcher
        self.watch_seconds = watch_seconds
        self.write_trigger: WriteTrigger | None = None

    async def start(self) -> None:
        await super().start()
        self.background(self._watch())

    async def stop(self) -> None:
        await super().stop()
        if self.write_trigger is not None:
            await self.write_trigger.stop()

    def start_run(self, rule: Rule, trigger: str, *, proceed: bool = False) -> None:
        """Run ``rule`` in the background; ``RuleAlreadyRunning`` if it is running.

        ``proceed``: this one run goes on past the safety stops (the user said so)."""
        self.runner.claim(rule.id)
        run = functools.partial(self.runner.run_claimed, rule, trigger, proceed=proceed)
        self.background(self._leased_run(rule, trigger, run))

    async def _reap_lapsed(self, leases: JobLeases) -> None:
        """Rules left 'running' by an instance whose lease lapsed: mark the cut run."""
        marked = await self.runner.store.rules_marked_running()
        jobs = [self.job(rule_id) for rule_id in marked if rule_id not in self.runner.running]
        async for job in lapsed_jobs(leases, jobs):
            rule_id = int(job.split(":")[1])
            await self.runner.store.interrupt_rule(rule_id, self.runner.clock())
            self.log.warning("rule %d: its instance stopped during a run; resuming it", rule_id)

    async def _watch(self) -> None:
        """Changes feeds are polled apart from the tick: a slow provider delays no run."""
        while True:
            await asyncio.sleep(self.watch_seconds)
            if await self.watcher.poll():
                self.wake()
