"""Live notifications: events are stored first, then pushed to the user's open sockets.

Storing first gives every event an id in arrival order; a client that reconnects sends the
last id it saw (``after``) and gets what it missed from the store before live events resume.
On connect the socket subscribes before it reads the backlog, and drops live events it has
already sent, so nothing falls in the gap between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncoxide.server.storage.port import Event, MetadataStore

BACKLOG_PAGE = 200
QUEUE_DEPTH = 1000


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "payload": event.payload,
        "created_at": event.created_at,
    }


@dataclass
class Notifier:
    store: MetadataStore
    _subscribers: dict[int, set[asyncio.Queue[Event | None]]] = field(
        default_factory=lambda: defaultdict(set)
    )

    async def emit(self, user_id: int, kind: str, payload: Mapping[str, Any], now: int) -> Event:
        event = await self.store.append_event(user_id, kind, dict(payload), now)
        for queue in list(self._subscribers.get(user_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A client too slow to keep up is cut off (None tells its socket to close);
                # it reconnects and catches up from the store.
                queue.get_nowait()
                queue.put_nowait(None)
                self._subscribers[user_id].discard(queue)
        return event

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[asyncio.Queue[Event | None]]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_DEPTH)
        self._subscribers[user_id].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[user_id].discard(queue)

    async def backlog(self, user_id: int, after_id: int) -> AsyncIterator[Event]:
        while True:
            page = await self.store.events_after(user_id, after_id, BACKLOG_PAGE)
            for event in page:
                yield event
                after_id = event.id
            if len(page) < BACKLOG_PAGE:
                return

    def listeners(self, user_id: int) -> int:
        return len(self._subscribers.get(user_id, ()))
