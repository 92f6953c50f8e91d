"""Run-on-change: rules whose source has a changes feed are made due when it reports changes.

Google Drive and Dropbox providers offer ``changes_token()`` and ``changes(token)``; other
providers do not, and their rules run on their schedule only. Each watched rule keeps its
feed position in memory: the first poll only takes a position, later polls ask what changed
since. After a restart the position starts afresh; the schedule covers what happened while the
server was down. Drive's feed covers the whole account, Dropbox's the rule's folder.

A provider that refuses or fails here is left alone: the rule's next run reports it properly
(and sets ``reconnect``), so the watcher never becomes a second source of retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.server.rules.store import Rule, RuleStore

log = logging.getLogger("syncoxide.server.rules")


class ChangeWatcher:
    def __init__(
        self, store: RuleStore, connections: Connections, clock: Callable[[], int]
    ) -> None:
        self.store = store
        self.connections = connections
        self.clock = clock
        self.positions: dict[int, str] = {}

    async def poll(self) -> list[int]:
        """Check every watched rule once; the ids of those made due."""
        watched = await self.store.watched_rules()
        self.positions = {k: v for k, v in self.positions.items() if k in {r.id for r in watched}}
        due = []
        for rule in watched:
            try:
                changed = await self._changed(rule)
            except Exception as error:  # reported by the rule's own run, not here
                log.info("changes feed of rule %d: %s", rule.id, error)
                continue
            if changed:
                await self.store.make_due(rule.id, self.clock())
                due.append(rule.id)
        return due

    async def _changed(self, rule: Rule) -> bool:
        source = await self.store.connection(rule.user_id, rule.source_id)
        if source is None:
            return False
        provider: Any = self.connections.provider(source, rule.source_path)
        try:
            if not hasattr(provider, "changes"):
                return False
            position = self.positions.get(rule.id)
            if position is None:
                self.positions[rule.id] = await provider.changes_token()
                return False
            changed, self.positions[rule.id] = await provider.changes(position)
            return bool(changed)
        finally:
            await close_provider(provider)
