"""A background pass the server runs at start and then every ``every_seconds``, for as long as
it runs: the retention sweep, the thumbnail sweep.

A pass that fails (the database or the blob store away for a moment) is logged and the next
one comes at its time; a pass that did something says how much.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from syncoxide.errors import SyncoxideError

log = logging.getLogger("syncoxide.server")


class PeriodicSweep:
    #: How the log names the sweep, and what a pass that did ``n`` things did (``%d``).
    name = "sweep"
    did = "%d done"

    def __init__(self, every_seconds: float) -> None:
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
        """One pass: how many things it did."""
        raise NotImplementedError

    async def _loop(self) -> None:
        while True:
            try:
                done = await self.sweep()
            except (SyncoxideError, OSError) as error:
                log.warning("%s: %s", self.name, error)
            else:
                if done:
                    log.info("%s: " + self.did, self.name, done)
            await asyncio.sleep(self.every_seconds)
