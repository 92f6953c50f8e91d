"""Remote change sources: a provider's change feed where it has one (Google Drive's changes,
Dropbox's list_folder cursor), else a timer that asks for a run, whose listing is the check.

A feed that fails for a moment (a lost connection, a 5xx) is asked again at the next interval;
the run it would have started would fail the same way, so nothing is gained by stopping.
Errors that will not go away (a refused token) end the watch.
"""

from __future__ import annotations

import asyncio
import logging

from syncoxide.catalog.refresh import ChangesFeed
from syncoxide.engine.watch import Notify, Ready
from syncoxide.errors import SyncoxideError

log = logging.getLogger("syncoxide.watch")


class FeedChanges:
    """A ``ChangeSource`` asking ``feed`` what changed every ``interval`` seconds."""

    def __init__(self, feed: ChangesFeed, interval: float) -> None:
        self.feed = feed
        self.interval = interval

    async def __call__(self, notify: Notify, ready: Ready) -> None:
        token = await self.feed.changes_token()
        ready()
        while True:
            await asyncio.sleep(self.interval)
            try:
                changed, token = await self.feed.changes(token)
            except SyncoxideError as error:
                if not error.retryable:
                    raise
                log.warning("change feed unavailable, asking again later: %s", error)
                continue
            if changed:
                notify(len(changed))


class PollTimer:
    """A ``ChangeSource`` for a side with no feed: a run every ``interval`` seconds."""

    def __init__(self, interval: float) -> None:
        self.interval = interval

    async def __call__(self, notify: Notify, ready: Ready) -> None:
        ready()
        while True:
            await asyncio.sleep(self.interval)
            notify(0)
