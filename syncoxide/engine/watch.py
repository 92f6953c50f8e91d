"""Keeping a pair in step: run again whenever a side reports changes, once they have settled.

How it works: each change source (a local folder's file events, a provider's change feed, a
plain timer for providers without one) runs as a task that calls ``notify(count)`` when it
sees changes. ``Debounce`` decides when the gathered notices are worth a run: once no notice
came for ``quiet_seconds`` (a file still being written keeps sending events, so it is not
copied half-way), but no later than ``longest_wait_seconds`` after the first one (a folder that
never stops changing is still synced). Notices that arrive during a run are kept for the next
one, so a burst of 200 changes costs a few runs, not 200. A change source that fails ends the
watch with its error; a run's own failure is the caller's to report (``run_once``).

The first run happens at once, after the change sources started, so nothing changed while it
listed is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from syncoxide.waiting import wait_for_event

Notify = Callable[[int], None]
"""Called by a change source: ``count`` changes were seen (0: "look again": a timer, or a
watcher that lost events)."""

Ready = Callable[[], None]
"""Called by a change source once it took its starting position (folder watched, token taken)."""

ChangeSource = Callable[[Notify, Ready], Awaitable[None]]
"""Runs until cancelled, calling ``notify`` whenever it sees changes."""

RunOnce = Callable[[int], Awaitable[None]]
"""One run of the pair; given the number of changes noticed since the last run began."""


#: A file written in bursts closer than this is not copied half-way (measured: a cp of 1 GiB
#: here sends an event every few milliseconds).
QUIET_SECONDS = 0.3


@dataclass(frozen=True)
class WatchSettings:
    #: A run starts once no change was noticed for this long (the settle time).
    quiet_seconds: float = QUIET_SECONDS
    #: ...or this long after the first change noticed, whichever comes first.
    longest_wait_seconds: float = 10.0


class Debounce:
    """When gathered change notices are due for a run (pure: times are given)."""

    def __init__(self, settings: WatchSettings) -> None:
        self.settings = settings
        self.count = 0
        self._first: float | None = None
        self._last = 0.0

    def notice(self, now: float, count: int) -> None:
        if self._first is None:
            self._first = now
        self._last = now
        self.count += count

    def due_at(self) -> float | None:
        """The time a run is due; None when nothing was noticed."""
        if self._first is None:
            return None
        quiet = self._last + self.settings.quiet_seconds
        return min(quiet, self._first + self.settings.longest_wait_seconds)

    def take(self) -> int:
        """The changes noticed so far; forgets them (a run is starting)."""
        count, self.count, self._first = self.count, 0, None
        return count


class _Watch:
    def __init__(self, settings: WatchSettings, monotonic: Callable[[], float]) -> None:
        self.pending = Debounce(settings)
        self.monotonic = monotonic
        self.wake = asyncio.Event()
        self.failure: BaseException | None = None
        self.unready = 0

    def notify(self, count: int) -> None:
        self.pending.notice(self.monotonic(), count)
        self.wake.set()

    def ready(self) -> None:
        self.unready -= 1
        self.wake.set()

    async def guarded(self, source: ChangeSource) -> None:
        try:
            await source(self.notify, self.ready)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # ends the watch, raised from the main loop
            self.failure = error
            self.wake.set()

    async def until_due(self) -> None:
        while True:
            self._raise_failure()
            due = self.pending.due_at()
            if due is not None and due <= self.monotonic():
                return
            self.wake.clear()
            timeout = None if due is None else due - self.monotonic()
            await wait_for_event(self.wake, timeout)

    async def until_ready(self) -> None:
        while self.unready > 0:
            self._raise_failure()
            self.wake.clear()
            await self.wake.wait()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


async def watch_pair(
    run_once: RunOnce,
    sources: Sequence[ChangeSource],
    *,
    settings: WatchSettings,
    monotonic: Callable[[], float],
    runs: int | None = None,
) -> None:
    """Run the pair now and after every settled batch of changes, until cancelled (or after
    ``runs`` runs, for tests and benchmarks)."""
    watch = _Watch(settings, monotonic)
    watch.unready = len(sources)
    tasks = [asyncio.create_task(watch.guarded(source)) for source in sources]
    try:
        done = 0
        await watch.until_ready()
        await run_once(watch.pending.take())
        done += 1
        while runs is None or done < runs:
            await watch.until_due()
            await run_once(watch.pending.take())
            done += 1
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
