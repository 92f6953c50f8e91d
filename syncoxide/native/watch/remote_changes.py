"""Remote change sources: a provider's change feed where it has one (Google Drive's changes,
Dropbox's list_folder cursor, our server's storage changes), else a timer that asks for a run,
whose listing is the check. A feed that can hold a call until something changes (our server's)
is asked again at once, so a change there is noticed as it commits.

A feed that fails for a moment (a lost connection, a 5xx) is asked again at the next interval;
the run it would have started would fail the same way, so nothing is gained by stopping.
Errors that will not go away (a refused token) end the watch.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, runtime_checkable

from syncoxide.catalog.refresh import ChangesFeed
from syncoxide.engine.watch import Notify, Ready
from syncoxide.errors import SyncoxideError
from syncoxide.providers.contract import PARTIAL_PREFIX
from syncoxide.sync.paths import RESERVED_TOP

log = logging.getLogger("syncoxide.watch")


@runtime_checkable
class WaitsForChanges(Protocol):
    """A feed that holds ``wait_for_changes`` up to ``seconds`` until something changed."""

    async def wait_for_changes(self, token: str, seconds: float) -> tuple[list[str], str]: ...


def _bookkeeping(path: str) -> bool:
    """A path the engine itself writes: a partial write or the reserved ``.syncoxide`` folder."""
    parts = path.split("/")
    return parts[0] == RESERVED_TOP or parts[-1].startswith(PARTIAL_PREFIX)


#: How long one call to a waiting feed may be held (the server holds it at most 30 s).
LONG_POLL_SECONDS = 25.0


class FeedChanges:
    """A ``ChangeSource`` asking ``feed`` what changed every ``interval`` seconds."""

    def __init__(self, feed: ChangesFeed, interval: float) -> None:
        self.feed = feed
        self.interval = interval

    async def __call__(self, notify: Notify, ready: Ready) -> None:
        token = await self.feed.changes_token()
        ready()
        waits = isinstance(self.feed, WaitsForChanges)
        while True:
            if not waits:
                await asyncio.sleep(self.interval)
            try:
                changed, token = await self._ask(token, waits)
            except SyncoxideError as error:
                if not error.retryable:
                    raise
                log.warning("change feed unavailable, asking again later: %s", error)
                await asyncio.sleep(self.interval if waits else 0)
                continue
            ours = [path for path in changed if path and _bookkeeping(path)]
            if len(ours) < len(changed):  # our own partial writes and trash start no run
                notify(len(changed) - len(ours))

    async def _ask(self, token: str, waits: bool) -> tuple[list[str], str]:
        if waits:
            assert isinstance(self.feed, WaitsForChanges)
            return await self.feed.wait_for_changes(token, LONG_POLL_SECONDS)
        return await self.feed.changes(token)


class PollTimer:
    """A ``ChangeSource`` for a side with no feed: a run every ``interval`` seconds."""

    def __init__(self, interval: float) -> None:
        self.interval = interval

    async def __call__(self, notify: Notify, ready: Ready) -> None:
        ready()
        while True:
            await asyncio.sleep(self.interval)
            notify(0)
