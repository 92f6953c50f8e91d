"""The task that keeps retention honoured with nobody looking: every ``every_seconds`` it
applies each user's retention (``FileRecovery.apply_retention``), so trash and versions past
their time are purged and their blobs freed even for users who never open Trash again.

Retention also runs whenever a user reads or grows their history; the sweep is what makes
"kept 30 days" true on disk. One user's failure is logged and the sweep goes on to the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from syncoxide.errors import SyncoxideError
from syncoxide.server.files.recovery import FileRecovery

log = logging.getLogger("syncoxide.server.files")


class RetentionSweep:
    def __init__(self, recovery: FileRecovery, every_seconds: float) -> None:
        self.recovery = recovery
        self.every_seconds = every_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def sweep(self) -> int:
        """One pass over every user with history; the number of rows purged."""
        purged = 0
        for user_id in self.recovery.history.users_with_history():
            try:
                purged += await self.recovery.apply_retention(user_id)
            except (SyncoxideError, OSError) as error:
                log.warning("retention sweep: user %d: %s", user_id, error)
        return purged

    async def _loop(self) -> None:
        while True:
            purged = await self.sweep()
            if purged:
                log.info("retention sweep: purged %d old versions and trashed items", purged)
            await asyncio.sleep(self.every_seconds)
