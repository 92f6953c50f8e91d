"""Runs due shares for the life of the server, on the scheduler every scheduled rule shares.

Each accepted share is due every ``interval_seconds`` (60 by default), at once after it is
accepted, when either party asks (``POST .../sync``), and as soon as a file in a server-storage
place of it changes (``storage_changed``): a change made through this server reaches the other
side within a tick, with no client running. The digest of changes goes out each tick too.

The loop, the wake, the stop and the leases are ``scheduling.scheduler``'s: with several
instances (docs/scaling.md) each share's run (``share:<id>``) and each round of digests is held
under a job lease (storage/leases.py), as the rules' runs are: one instance runs a share at a
time, a digest goes out once, and a run whose instance died is taken up again once its lease
lapses, instead of every starting instance resetting the others' runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from syncoxide.server.accountshares.placed import placed_after_change
from syncoxide.server.accountshares.runner import ShareRunner
from syncoxide.server.accountshares.store import AccountShare
from syncoxide.server.files.changes import FileChange
from syncoxide.server.files.names import is_under
from syncoxide.server.rules.store import Connection
from syncoxide.server.scheduling.scheduler import TICK_SECONDS, DueRuleScheduler
from syncoxide.server.storage.leases import JobLeases, lapsed_jobs, run_leased


class ShareScheduler(DueRuleScheduler[AccountShare]):
    log = logging.getLogger("syncoxide.server.accountshares")
    interrupted_words = "%d share runs were interrupted by the last stop; running them again"
    job_kind = "share"
    #: More only queue on the database and the disk (100 shares accepted in a burst once made
    #: SQLite's writers wait past their timeout).
    max_runs = 8

    def __init__(
        self,
        runner: ShareRunner,
        digests: Callable[[], Coroutine[Any, Any, int]],
        tick_seconds: float = TICK_SECONDS,
        *,
        leases: JobLeases | None = None,
    ) -> None:
        super().__init__(runner, tick_seconds, leases=leases)
        self.runner: ShareRunner = runner
        self.digests = digests

    def storage_changed(self, change: FileChange) -> None:
        """A user's own file changed: shares with a storage place around it are due now.

        Called synchronously by the file service after each commit, so it only marks."""
        now = self.runner.clock()
        for share in placed_after_change(self.runner.store, change.user_id):
            folder = (
                share.source_path
                if share.owner_id == change.user_id and share.source_id is None
                else share.dest_path
                if share.recipient_id == change.user_id and share.dest_id is None
                else None
            )
            if folder is not None and is_under(change.path, folder):
                if share.id in self.runner.running:
                    self.runner.changed_meanwhile.add(share.id)
                self.runner.store.make_due(share.id, now)
                self.wake()

    def reconnected(self, connection: Connection) -> None:
        """A connection works again: shares waiting on it run now."""
        now = self.runner.clock()
        if self.runner.store.resume_waiting(connection.user_id, connection.id, now):
            self.wake()

    async def tick_work(self) -> None:
        try:
            if self.leases is None:
                await self.digests()
            else:
                await run_leased(self.leases, "share-digests", self.digests)
        except Exception:  # a digest that fails is retried next tick; runs go on
            self.log.exception("share digests failed")

    async def _reap_lapsed(self, leases: JobLeases) -> None:
        """Shares left 'running' by an instance whose lease lapsed: due again."""
        marked = self.runner.store.marked_running()
        jobs = [self.job(share_id) for share_id in marked if share_id not in self.runner.running]
        async for job in lapsed_jobs(leases, jobs):
            share_id = int(job.split(":")[1])
            self.runner.store.interrupted(share_id)
            self.log.warning(
                "share %d: its instance stopped during a run; running it again", share_id
            )
