"""The bus and rooms on NATS: core subjects for messages, JetStream KV for membership.

How it works: a channel is the subject ``syncoxide.CHANNEL`` (the channel name escaped into
one subject token). The first local handler of a channel subscribes it and flushes the
connection: NATS answers the flush's PING only after it has processed the SUB, so no later
message can be missed. Further handlers of the channel share that subscription.

A room is one KV entry (bucket ``syncoxide_rooms``) holding peer id -> ``role|instance``.
Entering reads it, drops members whose instance is no longer alive, checks the capacity and
writes it back only if nobody wrote in between (compare-and-set on the entry's revision),
else tries again: one atomic step, like the Redis script. Every instance refreshes its own
entry in ``syncoxide_instances``, whose entries lapse after ``INSTANCE_TTL`` seconds, so the
peers of a killed instance free their rooms without anyone cleaning up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from syncoxide.errors import TransportError
from syncoxide.server.bus.nats_link import NatsLink, key_of, lost_race
from syncoxide.server.bus.port import Handler, Member, Message
from syncoxide.server.deployment.bus_namespace import namespaced

SUBJECT_PREFIX = "syncoxide."
INSTANCE_TTL = 30
ROOM_TTL = 24 * 3600
CAS_ATTEMPTS = 50  # writers racing on one room; each loser retries at once
log = logging.getLogger(__name__)


class NatsSubscription:
    def __init__(self, bus: NatsBus, channel: str, handler: Handler) -> None:
        self._bus, self._channel, self._handler = bus, channel, handler

    async def cancel(self) -> None:
        await self._bus.drop(self._channel, self._handler)


class NatsBus:
    def __init__(self, link: NatsLink) -> None:
        self._link = link
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._subscriptions: dict[str, Subscription] = {}
        self._confirmed: dict[str, asyncio.Future[None]] = {}

    async def publish(self, channel: str, message: Message) -> None:
        client = await self._link.client()
        subject = subject_of(channel, self._link.namespace)
        await client.publish(subject, json.dumps(message).encode())

    async def subscribe(self, channel: str, handler: Handler) -> NatsSubscription:
        handlers = self._handlers[channel]
        handlers.append(handler)
        if len(handlers) == 1:
            await self._open(channel)
        confirmed = self._confirmed.get(channel)
        if confirmed is not None:
            await asyncio.shield(confirmed)
        return NatsSubscription(self, channel, handler)

    async def _open(self, channel: str) -> None:
        """Subscribe the channel for its first handler; on failure leave no trace, and fail
        the handlers that were waiting for it too."""
        live: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirmed[channel] = live
        try:
            client = await self._link.client()
            self._subscriptions[channel] = await client.subscribe(
                subject_of(channel, self._link.namespace), cb=self._receiver(channel)
            )
            await client.flush()
        except BaseException as error:
            self._handlers.pop(channel, None)
            self._confirmed.pop(channel, None)
            if isinstance(error, asyncio.CancelledError):
                live.cancel()
            else:
                live.set_exception(error)
                live.exception()  # retrieved: whoever waited on it has raised it already
            raise
        live.set_result(None)

    def _receiver(self, channel: str) -> Callable[[Msg], Awaitable[None]]:
        async def receive(msg: Msg) -> None:
            message = json.loads(msg.data)
            for handler in list(self._handlers.get(channel, ())):
                handler(message)

        return receive

    async def drop(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel, [])
        if handler not in handlers:
            return
        handlers.remove(handler)
        if not handlers:
            del self._handlers[channel]
            self._confirmed.pop(channel, None)
            subscription = self._subscriptions.pop(channel, None)
            if subscription is not None:
                with contextlib.suppress(NatsError):
                    await subscription.unsubscribe()

    async def aclose(self) -> None:
        for channel in list(self._subscriptions):
            with contextlib.suppress(NatsError):
                await self._subscriptions.pop(channel).unsubscribe()
        self._handlers.clear()
        self._confirmed.clear()


class NatsRooms:
    def __init__(self, link: NatsLink) -> None:
        self._link = link
        self.instance = uuid.uuid4().hex
        self._heartbeat: asyncio.Task[None] | None = None

    async def enter(self, room: str, member: Member, capacity: int) -> list[Member] | None:
        await self._keep_alive()
        for _ in range(CAS_ATTEMPTS):
            rooms, members, revision = await self._read(room)
            kept = await self._alive(members)
            if len(kept) >= capacity:
                return None
            present = _members(kept)
            kept[member.peer_id] = f"{member.role}|{self.instance}"
            if await _written(rooms, key_of(room), kept, revision):
                return present
        raise TransportError(f"The signaling room stayed busy for {CAS_ATTEMPTS} attempts.")

    async def leave(self, room: str, peer_id: str) -> bool:
        for _ in range(CAS_ATTEMPTS):
            rooms, members, revision = await self._read(room)
            if peer_id not in members:
                return False
            del members[peer_id]
            if await _written(rooms, key_of(room), members, revision):
                return True
        raise TransportError(f"The signaling room stayed busy for {CAS_ATTEMPTS} attempts.")

    async def members(self, room: str) -> list[Member]:
        rooms, members, revision = await self._read(room)
        kept = await self._alive(members)
        if len(kept) != len(members):  # tidy up as Redis does; a lost race changes nothing
            await _written(rooms, key_of(room), kept, revision)
        return _members(kept)

    async def _read(self, room: str) -> tuple[KeyValue, dict[str, str], int]:
        rooms = await self._link.bucket("rooms", ROOM_TTL)
        try:
            entry = await rooms.get(key_of(room))
        except KeyNotFoundError:
            return rooms, {}, 0
        members: dict[str, str] = json.loads(entry.value or b"{}")
        return rooms, members, entry.revision or 0

    async def _alive(self, members: dict[str, str]) -> dict[str, str]:
        instances = await self._link.bucket("instances", INSTANCE_TTL)
        verdicts: dict[str, bool] = {}
        for value in set(members.values()):
            instance = value.rsplit("|", 1)[1]
            if instance not in verdicts:
                verdicts[instance] = await _exists(instances, instance)
        return {p: v for p, v in members.items() if verdicts[v.rsplit("|", 1)[1]]}

    async def _keep_alive(self) -> None:
        """Mark this instance alive before its first member enters, then every third of
        the TTL while it runs."""
        if self._heartbeat is None or self._heartbeat.done():
            await self._beat()
            self._heartbeat = asyncio.create_task(self._beat_forever())

    async def _beat(self) -> None:
        instances = await self._link.bucket("instances", INSTANCE_TTL)
        await instances.put(self.instance, b"1")

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(INSTANCE_TTL / 3)
            try:
                await self._beat()
            except NatsError as error:
                log.warning("NATS rooms: heartbeat failed: %s", error)

    async def aclose(self) -> None:
        if self._heartbeat is None:
            return
        self._heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._heartbeat
        with contextlib.suppress(NatsError):
            instances = await self._link.bucket("instances", INSTANCE_TTL)
            await instances.delete(self.instance)


async def _written(rooms: KeyValue, key: str, members: dict[str, str], revision: int) -> bool:
    """Write the room unless someone changed it since ``revision``; False when they did."""
    try:
        if not members and revision:
            await rooms.delete(key, last=revision)
        elif revision:
            await rooms.update(key, json.dumps(members).encode(), last=revision)
        elif members:
            await rooms.create(key, json.dumps(members).encode())
    except NatsError as error:
        if lost_race(error):
            return False
        raise
    return True


async def _exists(bucket: KeyValue, key: str) -> bool:
    try:
        await bucket.get(key)
    except KeyNotFoundError:
        return False
    return True


def _members(members: dict[str, str]) -> list[Member]:
    return [Member(peer, value.rsplit("|", 1)[0]) for peer, value in members.items()]


def subject_of(channel: str, namespace: str = "") -> str:
    """One subject token per channel (after the deployment's namespace, when it has one):
    dots, spaces and wildcards escaped, so no channel name can reach another channel's
    subject or match several."""
    token = quote(channel, safe=":").replace(".", "%2E")  # quote keeps dots
    return namespaced(SUBJECT_PREFIX, namespace, ".") + token
