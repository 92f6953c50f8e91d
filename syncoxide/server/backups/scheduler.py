"""The task that starts due backup rules, for the life of the server (the app's lifespan).

The loop, the leases for several instances and the background tasks are the ones every
scheduled rule shares (``scheduling.scheduler``); restores into providers run as its
background tasks (each under its own lease when instances share the work), so stopping the
server stops them cleanly.
"""

from __future__ import annotations

import logging

from syncoxide.server.backups.runner import BackupRunner
from syncoxide.server.backups.store import BackupRule
from syncoxide.server.scheduling.scheduler import TICK_SECONDS, DueRuleScheduler
from syncoxide.server.storage.leases import JobLeases, lapsed_jobs


class BackupScheduler(DueRuleScheduler[BackupRule]):
    log = logging.getLogger("syncoxide.server.backups")
    interrupted_words = "%d backup runs were interrupted by the last stop"
    job_kind = "backup"

    def __init__(
        self,
        runner: BackupRunner,
        tick_seconds: float = TICK_SECONDS,
        *,
        leases: JobLeases | None = None,
    ) -> None:
        super().__init__(runner, tick_seconds, leases=leases)
        self.runner: BackupRunner = runner

    async def _reap_lapsed(self, leases: JobLeases) -> None:
        """Runs and restores left 'running' by an instance whose lease lapsed."""
        now = self.runner.clock()
        rules, restores = await self.runner.store.marked_running(now - leases.seconds)
        jobs = [self.job(n) for n in rules if n not in self.runner.running]
        jobs += [f"restore:{n}" for n in restores]
        async for job in lapsed_jobs(leases, jobs):
            kind, number = job.split(":")
            if kind == self.job_kind:
                await self.runner.store.interrupt_rule(int(number), now)
            else:
                await self.runner.store.interrupt_restore(int(number), now)
            self.log.warning("%s: its instance stopped during the work; marked interrupted", job)
