"""The task that runs due shares for the life of the server, beside the rule scheduler.

Each accepted share is due every ``interval_seconds`` (60 by default), at once after it is
accepted, when either party asks (``POST .../sync``), and as soon as a file in a server-storage
place of it changes (``storage_changed``): a change made through this server reaches the other
side within a tick, with no client running. The digest of changes goes out from here too.
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
    ) -> None:
        # A run that ends wakes the loop, so a waiting share takes its slot at once.
        self.runner = runner
        self.digests = digests
        self.tick_seconds = tick_seconds
        self._loop_task: asyncio.Task[None] | None = None
        self._runs: set[asyncio.Task[AccountShare]] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        self._wake = asyncio.Event()  # one per loop: a restarted server runs on a new one
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

    def _ended(self, task: asyncio.Task[AccountShare]) -> None:
        self._runs.discard(task)
        self.wake()

    async def _loop(self) -> None:
        while True:
            for share in self.runner.store.due(self.runner.clock()):
                if len(self._runs) >= MAX_RUNS:
                    break
                if share.id not in self.runner.running:
                    task = asyncio.create_task(self.runner.run(share))
                    self._runs.add(task)
                    task.add_done_callback(self._ended)
            try:
                await self.digests()
            except Exception:  # a digest that fails is retried next tick; runs go on
                log.exception("share digests failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)
