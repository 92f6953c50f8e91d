"""Keeping the mount's listing current from the provider's own change reports.

A provider with a change feed (our server's storage holds the call until something changes) or a
local folder (file events: inotify on Linux, watchfiles elsewhere) says when something changed;
each report marks the mount's listing stale, so the next ``stat`` or ``readdir`` lists again and
a change made elsewhere shows within the kernel's one-second attribute cache instead of after
the listing's time to live. The source runs as a task on the mount's event loop. A source that
fails is logged and the time to live takes over again: the mount keeps working.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from syncoxide.engine.watch import ChangeSource
from syncoxide.native.mount.filesystem import RemoteFileSystem
from syncoxide.native.mount.fuse_ops import LoopThread

log = logging.getLogger("syncoxide.mount")

#: How long the mount waits for the source to take its starting position before it serves
#: anyway (a change made before that is then seen at the listing's time to live at worst).
READY_SECONDS = 10.0
#: How long stopping waits for the source to let go (a feed's held call is cancelled at once).
STOP_SECONDS = 10.0


class ListingFollower:
    """Follows ``source``; with None (a provider that reports no changes) it does nothing and
    the listing's time to live alone keeps it current."""

    def __init__(self, source: ChangeSource | None, filesystem: RemoteFileSystem) -> None:
        self.source = source
        self.filesystem = filesystem
        self._loop: LoopThread | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self, loop: LoopThread) -> None:
        """Run the source on ``loop``; return once it watches (the folder is watched, the
        feed's token taken), so no change made after the mount appears is missed."""
        if self.source is None:
            return
        ready = threading.Event()
        self._loop = loop
        self._task = loop.run(self._spawn(ready))
        if not ready.wait(READY_SECONDS):
            log.warning("the change feed is slow to start; listings may lag until it does")

    def stop(self) -> None:
        """Cancel the source and wait until it has let go of what it holds (its watch, its
        connection), so the loop and the provider close after it, not under it."""
        if self._task is None or self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(_cancelled(self._task), self._loop.loop)
        try:
            future.result(timeout=STOP_SECONDS)
        except TimeoutError:
            log.warning("the change source did not stop within %s s", STOP_SECONDS)

    async def _spawn(self, ready: threading.Event) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(self._follow(ready))

    async def _follow(self, ready: threading.Event) -> None:
        assert self.source is not None
        try:
            await self.source(lambda count: self.filesystem.listing_changed(), ready.set)
        except Exception as error:  # any failure: the time to live takes over
            log.warning("stopped following changes (%s); listings refresh by time now", error)
        finally:
            ready.set()  # a source that failed at once must not hold the mount back


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
