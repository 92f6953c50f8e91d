"""The task that starts due sync rules, for the life of the server (the app's lifespan).

The loop is the one every scheduled rule shares (``scheduling.scheduler``); runs a stopped
server left unfinished have their journals resumed by the next run. Rules that also run on
change are made due by ``ChangeWatcher``, polled every ``watch_seconds``, and, where they
read the server's own storage, by ``WriteTrigger`` as soon as a file there changes
(on_write.py).

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

from syncoxide.server.rules.on_write import WriteTrigger
from syncoxide.server.rules.runner import RuleRunner
from syncoxide.server.rules.store import Rule, RuleRun
from syncoxide.server.rules.watcher import ChangeWatcher
from syncoxide.server.scheduling.scheduler import TICK_SECONDS, DueRuleScheduler
from syncoxide.server.storage.leases import JobLeases

log = logging.getLogger("syncoxide.server.rules")
WATCH_SECONDS = 5.0  # one cheap feed call per watched rule; the CLI's --feed-interval too


class RuleScheduler(DueRuleScheduler[Rule]):
    log = log
    interrupted_words = "%d rule runs were interrupted by the last stop; resuming"

    def __init__(
        self,
        runner: RuleRunner,
        watcher: ChangeWatcher,
        *,
        tick_seconds: float = TICK_SECONDS,
        watch_seconds: float = WATCH_SECONDS,
        leases: JobLeases | None = None,
    ) -> None:
        super().__init__(runner, tick_seconds)
        self.runner: RuleRunner = runner
        self.watcher = watcher
        self.watch_seconds = watch_seconds
        self.leases = leases
        self.write_trigger: WriteTrigger | None = None

    async def start(self) -> None:
        if self.leases is None:
            await super().start()
        else:  # the other instances' runs are not interrupted: lapsed leases are reaped
            self._loop_task = asyncio.create_task(self._loop())
        self.background(self._watch())

    async def stop(self) -> None:
        await super().stop()
        if self.write_trigger is not None:
            await self.write_trigger.stop()

    def start_run(self, rule: Rule, trigger: str, *, proceed: bool = False) -> None:
        """Run ``rule`` in the background; ``RuleAlreadyRunning`` if it is running.

        ``proceed``: this one run goes on past the safety stops (the user said so)."""
        self.runner.claim(rule.id)
        self.background(self._leased_run(rule, trigger, proceed))

    async def _leased_run(self, rule: Rule, trigger: str, proceed: bool) -> RuleRun | None:
        if self.leases is None:
            return await self.runner.run_claimed(rule, trigger, proceed=proceed)
        job = _job(rule.id)
        if not await self.leases.take(job):
            self.runner.running.discard(rule.id)
            log.info("rule %d is running on another instance; not starting it here", rule.id)
            return None
        if trigger == "schedule" and not await self._due_now(rule):
            # Another instance ran it between our look at the due rules and the lease.
            self.runner.running.discard(rule.id)
            await self.leases.release(job)
            return None
        run = asyncio.create_task(self.runner.run_claimed(rule, trigger, proceed=proceed))
        keeper = asyncio.create_task(self._keep_lease(job, run))
        try:
            return await run
        finally:
            keeper.cancel()
            await self.leases.release(job)

    async def _keep_lease(self, job: str, run: asyncio.Task[RuleRun]) -> None:
        assert self.leases is not None
        while True:
            await asyncio.sleep(self.leases.seconds / 3)
            if not await self.leases.take(job):
                log.warning("lost the lease on %s; stopping its run here", job)
                run.cancel()
                return

    async def _loop(self) -> None:
        if self.leases is None:
            await super()._loop()
            return
        while True:
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
        for rule_id in await self.runner.store.rules_marked_running():
            job = _job(rule_id)
            if rule_id in self.runner.running or await self.leases.holder_of(job) is not None:
                continue
            if await self.leases.take(job):
                await self.runner.store.interrupt_rule(rule_id, self.runner.clock())
                await self.leases.release(job)
                log.warning("rule %d: its instance stopped during a run; resuming it", rule_id)

    async def _watch(self) -> None:
        """Changes feeds are polled apart from the tick: a slow provider delays no run."""
        while True:
            await asyncio.sleep(self.watch_seconds)
            if await self.watcher.poll():
                self.wake()


def _job(rule_id: int) -> str:
    return f"rule:{rule_id}"
