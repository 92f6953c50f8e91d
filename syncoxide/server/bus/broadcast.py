"""One channel that every instance of a deployment hears, for what each keeps in memory.

How it works: ``send`` may be called from any code, even a thread, and never waits: it hands
the message to the event loop, which numbers it and queues it; one task publishes the queue
in order. Each instance hears the others' messages (its own are skipped: it acted on them
already, synchronously) and hands them to its handlers.

Pub/sub on Redis and core NATS deliver at most once: a message published while a subscriber
was reconnecting is lost to it. Each message carries its sender's instance id and a number
that grows by one per message; a subscriber that sees a sender's number jump knows it missed
something and tells its ``lost`` listeners, which fall back to what does not depend on
messages (a full listing, the schedule). A message the sender could not publish counts as
lost in the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from syncoxide.errors import SyncoxideError
from syncoxide.server.bus.port import Bus, Handler, Message, Subscription

#: Messages waiting to be published; past it (the bus is out) new ones are dropped as lost.
QUEUE_DEPTH = 10_000
log = logging.getLogger("syncoxide.server.bus")


class Broadcast:
    def __init__(self, bus: Bus, channel: str, instance: str) -> None:
        self.bus, self.channel, self.instance = bus, channel, instance
        self._handlers: list[Handler] = []
        self._lost: list[Callable[[], None]] = []
        self._sent = 0
        self._heard: dict[str, int] = {}  # sender -> the last number heard from it
        self._queue: asyncio.Queue[Message] = asyncio.Queue(QUEUE_DEPTH)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sender: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None

    def on_message(self, handler: Handler) -> None:
        """Called (on the event loop) with each message another instance sent."""
        self._handlers.append(handler)

    def on_lost(self, listener: Callable[[], None]) -> None:
        """Called when a message of another instance was missed."""
        self._lost.append(listener)

    async def start(self) -> None:
        """Subscribe (live once this returns) and start publishing what ``send`` queues."""
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(QUEUE_DEPTH)  # one per loop: a restarted server has a new one
        self._subscription = await self.bus.subscribe(self.channel, self._receive)
        self._sender = asyncio.create_task(self._publish_forever())

    async def stop(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None
        if self._subscription is not None:
            with contextlib.suppress(SyncoxideError, OSError):
                await self._subscription.cancel()
            self._subscription = None
        self._loop = None

    def send(self, message: Message) -> None:
        """Publish ``message`` to the other instances, in the order sent; dropped (with a
        warning) before ``start`` or after ``stop``."""
        loop = self._loop
        if loop is None or loop.is_closed():
            log.debug("%s: not started; a message was not sent", self.channel)
            return
        loop.call_soon_threadsafe(self._enqueue, message)

    def _enqueue(self, message: Message) -> None:
        self._sent += 1
        try:
            self._queue.put_nowait({**message, "from": self.instance, "number": self._sent})
        except asyncio.QueueFull:
            log.warning("%s: the bus is behind; a message was dropped", self.channel)

    async def _publish_forever(self) -> None:
        while True:
            message = await self._queue.get()
            try:
                await self.bus.publish(self.channel, message)
            except Exception as error:  # a bus outage must not end the sender
                log.warning("%s: could not publish: %s", self.channel, error)

    def _receive(self, message: Message) -> None:
        sender, number = message.get("from"), message.get("number")
        if sender == self.instance or not isinstance(sender, str) or not isinstance(number, int):
            return
        last = self._heard.get(sender)
        self._heard[sender] = number
        if last is not None and number != last + 1:
            for listener in self._lost:
                listener()
        for handler in self._handlers:
            try:
                handler(message)
            except Exception:  # one bad message must not stop the others
                log.exception("%s: a message could not be handled", self.channel)
