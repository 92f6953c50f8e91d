"""Arrivals in provider folders: every ``poll_seconds`` each rule on a connection or a share
lists its folder and compares with what it saw last time (``SeenStore``).

A rule's first look at a place only remembers what is there: files that were there before
the rule are not arrivals. Later looks make a job of each file that is new or changed (size
or time) and matches, except results the automation wrote itself. A provider with a changes
feed (Drive, Dropbox) is listed only when its feed reports a change since the last look; the
feed position is kept in memory, so the first look after a restart lists the folder.

A provider that refuses or fails is left alone until the next poll; nothing it holds is
marked seen, so nothing that arrived meanwhile is missed. The connection's ``reconnect``
state is set by the rule runner and the connection check, not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import posixpath
from collections.abc import Callable
from typing import Any

from syncoxide.errors import NotFoundError
from syncoxide.providers.contract import Entry, EntryKind, Provider
from syncoxide.server.automation.places import RulePlaces, WatchedPlace
from syncoxide.server.automation.rules import SHARE, AutomationRule, AutomationRuleStore
from syncoxide.server.automation.seen import SeenStore
from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.waiting import wait_for_event

log = logging.getLogger("syncoxide.server.automation")
#: One rule's look may take this long; a provider that hangs must not stop everyone's polls.
LOOK_SECONDS = 120.0
Enqueue = Callable[[AutomationRule, dict[str, Any], str], None]


class ProviderArrivals:
    def __init__(
        self,
        *,
        rules: AutomationRuleStore,
        places: RulePlaces,
        connections: Connections,
        seen: SeenStore,
        enqueue: Enqueue,
        every: float = 60.0,
    ) -> None:
        self.rules = rules
        self.places = places
        self.connections = connections
        self.seen = seen
        self.enqueue = enqueue
        self.every = every
        self._feeds: dict[int, str] = {}
        self._loop: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.create_task(self._polling())

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop

    def wake(self) -> None:
        """Look now (a rule was added) rather than at the next tick."""
        self._wake.set()

    async def _polling(self) -> None:
        while True:
            try:
                await self.poll()
            except Exception:
                log.exception("polling provider folders failed; trying again shortly")
            await wait_for_event(self._wake, self.every)
            self._wake.clear()

    async def poll(self) -> int:
        """Look at every polled rule's folder once; how many jobs that made."""
        made = 0
        rules = self.rules.polled()
        self._feeds = {k: v for k, v in self._feeds.items() if k in {r.id for r in rules}}
        for rule in rules:
            try:
                made += await asyncio.wait_for(self._look(rule), LOOK_SECONDS)
            except TimeoutError:
                log.info("automation rule %d: no answer in %.0f s", rule.id, LOOK_SECONDS)
            except Exception as error:  # one provider's failure must not stop the others
                log.info("automation rule %d: %s", rule.id, error)
        return made

    async def _look(self, rule: AutomationRule) -> int:
        place = await self.places.of(rule)
        if place.connection is None:
            return 0  # the storage on this server: its writes are heard as they happen
        provider = self.connections.provider(place.connection, place.path)
        try:
            if not await self._feed_says_changed(rule, provider):
                return 0
            entries = await _files(provider, rule.target_folder)
        finally:
            await close_provider(provider)
        if not self.seen.looked_at(rule.id, place.key):
            self.seen.first_look(rule.id, place.key, entries)
            return 0
        return self._arrivals(rule, place, entries)

    def _arrivals(self, rule: AutomationRule, place: WatchedPlace, entries: list[Entry]) -> int:
        assert place.connection is not None
        made = 0
        for entry in entries:
            from_root = posixpath.join(place.path, entry.path) if place.path else entry.path
            ours = self.seen.is_our_output(place.connection.id, from_root, entry)
            if not self.seen.arrived(rule.id, entry) or ours:
                continue
            if rule.matches(entry.path, entry.size):
                self.enqueue(rule, _item(rule, place, entry), _folder_of(rule, entry.path))
                made += 1
        self.seen.forget_missing(rule.id, {entry.path for entry in entries})
        return made

    async def _feed_says_changed(self, rule: AutomationRule, provider: Provider) -> bool:
        feed: Any = provider
        if not hasattr(feed, "changes"):
            return True
        position = self._feeds.get(rule.id)
        if position is None:
            self._feeds[rule.id] = await feed.changes_token()
            return True
        changed, self._feeds[rule.id] = await feed.changes(position)
        return bool(changed)


async def _files(provider: Provider, target_folder: str) -> list[Entry]:
    """Every file of the folder, results folder left out (its files are never arrivals)."""

    def prune(path: str) -> bool:
        return bool(target_folder) and path == target_folder

    found = []
    try:
        async for page in provider.list_tree(prune=prune):
            found += [entry for entry in page if entry.kind == EntryKind.FILE]
    except NotFoundError:  # not made yet: empty, so what is put there first are arrivals
        return []
    return found


def _item(rule: AutomationRule, place: WatchedPlace, entry: Entry) -> dict[str, Any]:
    assert place.connection is not None
    return {
        "source": "provider",
        "connection": place.connection.id,
        "share": int(rule.source) if rule.source_kind == SHARE else None,
        "place": place.path,
        "path": entry.path,
        "name": entry.path,
    }


def _folder_of(rule: AutomationRule, path: str) -> str:
    """A target folder inside the watched one, or next to the arrival."""
    return rule.target_folder or posixpath.dirname(path)
