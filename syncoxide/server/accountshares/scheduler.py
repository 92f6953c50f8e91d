"""The task that runs due shares for the life of the server, beside the rule scheduler.

Each accepted share is due every ``interval_seconds`` (60 by default), at once after it is
accepted, when either party asks (``POST .../sync``), and as soon as a file in a server-storage
place of it changes (``storage_changed``): a change made through this server reaches the other
side within a tick, with no client running. The digest of changes goes out from here too.

With several instances (docs/scaling.md) each share's run and each round of digests is held
under a job lease (storage/leases.py), as the rule schedulers' runs are: one instance runs a
share at a time, a digest goes out once, and a run whose instance died is taken up again
once its lease lapses, instead of every starting instance resetting the others' runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from syncoxide.server.accountshares.runner import ShareRunner
from syncoxide.server.accountshares.store import AccountShare
from syncoxide.server.files.changes import FileChange
from syncoxide.server.files.names import is_under
from syncoxide.server.rules.store import Connection
from syncoxide.server.storage.leases import JobLeases, lapsed_jobs, run_leased
from syncoxide.waiting import wait_for_event

log = logging.getLogger("syncoxide.server.accountshares")
TICK_SECONDS = 1.0
#: Runs at once: more only queue on the database and the disk (100 shares accepted in a burst
#: once made SQLite's writers wait past their timeout); due shares wait for a free slot.
MAX_RUNS = 8


class ShareScheduler:
    def __init__(
        self,
        runner: ShareRunner,
        digests: Callable[[], Awaitable[int]],
        tick_seconds: float = TICK_SECONDS,
        *,
        leases: JobLeases | None = None,
    ) -> None:
        # A run that ends wakes the loop, so a waiting share takes its slot at once.
        self.runner = runner
        self.digests = digests
        self.tick_seconds = tick_seconds
        self.leases = leases
        self._loop_task: asyncio.Task[None] | None = None
        self._runs: set[asyncio.Task[object]] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        self._wake = asyncio.Event()  # one per loop: a restarted server runs on a new one
        if self.leases is None:  # alone: whatever says 'running' was cut by our last stop
            self.runner.store.interrupted_at_start()
        self._loop_task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, *self._runs) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop_task = None

    def wake(self) -> None:
        self._wake.set()

    def storage_changed(self, change: FileChange) -> None:
        """A user's own file changed: shares with a storage place around it are due now.

        Called synchronously by the file service after each commit, so it only marks."""
        now = self.runner.clock()
        for share in self.runner.store.placed_for(change.user_id):
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

    def _ended(self, task: asyncio.Task[object]) -> None:
        self._runs.discard(task)
        self.wake()

    async def _loop(self) -> None:
        while True:
            if self.leases is not None:
                await self._reap_lapsed(self.leases)
            for share in self.runner.store.due(self.runner.clock()):
                if len(self._runs) >= MAX_RUNS:
                    break
                if share.id not in self.runner.running:
                    task = asyncio.create_task(self._run(share))
                    self._runs.add(task)
                    task.add_done_callback(self._ended)
            try:
                await self._send_digests()
            except Exception:  # a digest that fails is retried next tick; runs go on
                log.exception("share digests failed")
            self._wake.clear()
            await wait_for_event(self._wake, self.tick_seconds)

    async def _run(self, share: AccountShare) -> object:
        if self.leases is None:
            return await self.runner.run(share)
        _, done = await run_leased(
            self.leases,
            f"share:{share.id}",
            lambda: self.runner.run(share),
            still_due=lambda: self._due_now(share.id),
        )
        return done

    async def _due_now(self, share_id: int) -> bool:
        """Read again under the lease: another instance may have run it meanwhile."""
        now = self.runner.clock()
        return any(share.id == share_id for share in self.runner.store.due(now))

    async def _send_digests(self) -> None:
        if self.leases is None:
            await self.digests()
            return

        async def send() -> int:
            return await self.digests()

        await run_leased(self.leases, "share-digests", send)

    async def _reap_lapsed(self, leases: JobLeases) -> None:
        """Shares left 'running' by an instance whose lease lapsed: due again."""
        marked = self.runner.store.marked_running()
        jobs = [f"share:{share_id}" for share_id in marked if share_id not in self.runner.running]
        async for job in lapsed_jobs(leases, jobs):
            share_id = int(job.split(":")[1])
            self.runner.store.interrupted(share_id)
            log.warning("share %d: its instance stopped during a run; running it again", share_id)
