"""Live notifications: events are stored first, then pushed to the user's open sockets.

Storing first gives every event an id in arrival order; a client that reconnects sends the
last id it saw (``after``) and gets what it missed from the store before live events resume.
On connect the socket subscribes before it reads the backlog, and drops live events it has
already sent, so nothing falls in the gap between the two.

With a bus (a deployment of several instances, docs/scaling.md) an event goes out on the
user's channel instead, and every socket's own subscription takes it from there, whichever
instance stored it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncoxide.server.bus.port import Bus, Message
from syncoxide.server.storage.port import Event, MetadataStore

BACKLOG_PAGE = 200
QUEUE_DEPTH = 1000
# After these, a watcher checks that its own credential still holds.
CREDENTIAL_EVENTS = frozenset({"token.revoked", "session.ended"})
FELL_BEHIND, SIGNED_OUT = "fell_behind", "signed_out"


@dataclass(frozen=True)
class CaughtUp:
    """Every stored event after the watcher's id was sent; live ones follow."""

    last_id: int


@dataclass(frozen=True)
class WatchEnded:
    """The watch is over: it fell behind (watch again after ``last_id``) or was signed out."""

    reason: str  # FELL_BEHIND or SIGNED_OUT
    last_id: int


Watched = Event | CaughtUp | WatchEnded


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "payload": event.payload,
        "created_at": event.created_at,
    }


def event_from_json(user_id: int, message: Message) -> Event:
    return Event(
        id=int(message["id"]),
        user_id=user_id,
        kind=str(message["kind"]),
        payload=dict(message["payload"]),
        created_at=int(message["created_at"]),
    )


@dataclass
class Notifier:
    store: MetadataStore
    bus: Bus | None = None
    _subscribers: dict[int, set[asyncio.Queue[Event | None]]] = field(
        default_factory=lambda: defaultdict(set)
    )

    async def emit(self, user_id: int, kind: str, payload: Mapping[str, Any], now: int) -> Event:
        event = await self.store.append_event(user_id, kind, dict(payload), now)
        if self.bus is not None:
            await self.bus.publish(_channel(user_id), event_json(event))
            return event
        for queue in list(self._subscribers.get(user_id, ())):
            self._offer(user_id, queue, event)
        return event

    def _offer(self, user_id: int, queue: asyncio.Queue[Event | None], event: Event) -> None:
        if queue not in self._subscribers.get(user_id, ()):
            return
        try:
            queue.put_nowait(event)
        except asyncio.QueueFull:
            # A client too slow to keep up is cut off (None tells its socket to close);
            # it reconnects and catches up from the store.
            queue.get_nowait()
            queue.put_nowait(None)
            self._subscribers[user_id].discard(queue)

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: int) -> AsyncIterator[asyncio.Queue[Event | None]]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_DEPTH)
        self._subscribers[user_id].add(queue)
        listening = None
        if self.bus is not None:

            def offer(message: Message) -> None:
                self._offer(user_id, queue, event_from_json(user_id, message))

            listening = await self.bus.subscribe(_channel(user_id), offer)
        try:
            yield queue
        finally:
            self._subscribers[user_id].discard(queue)
            if listening is not None:
                await listening.cancel()

    async def backlog(self, user_id: int, after_id: int) -> AsyncIterator[Event]:
        while True:
            page = await self.store.events_after(user_id, after_id, BACKLOG_PAGE)
            for event in page:
                yield event
                after_id = event.id
            if len(page) < BACKLOG_PAGE:
                return

    async def watch(
        self, user_id: int, after_id: int, still_signed_in: Callable[[], Awaitable[bool]]
    ) -> AsyncGenerator[Watched, None]:
        """The user's events after ``after_id`` in id order, ``CaughtUp``, then each new one as
        it happens, until a ``WatchEnded``: the live stream of the WebSocket and of gRPC."""
        last = after_id
        async with self.subscribe(user_id) as queue:
            async for event in self.backlog(user_id, last):
                yield event
                last = event.id
            yield CaughtUp(last)
            while (live := await queue.get()) is not None:
                if live.id > last:  # the subscription began before the backlog was read
                    yield live
                    last = live.id
                if live.kind in CREDENTIAL_EVENTS and not await still_signed_in():
                    yield WatchEnded(SIGNED_OUT, last)
                    return
            yield WatchEnded(FELL_BEHIND, last)

    def listeners(self, user_id: int) -> int:
        return len(self._subscribers.get(user_id, ()))


def _channel(user_id: int) -> str:
    return f"events.{user_id}"
