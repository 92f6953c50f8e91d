"""The bus and rooms on Redis: pub/sub for messages, a hash per room for membership.

How it works: each instance holds one pub/sub connection. The first local handler of a
channel SUBSCRIBEs it and waits for Redis's confirmation (only then can no later message be
missed); further handlers of the same channel share that subscription. One reader task
turns incoming messages into handler calls.

A room is the hash ``syncoxide:room:NAME`` of peer id -> ``role|instance``. Every instance
refreshes its key ``syncoxide:instance:ID`` (``INSTANCE_TTL`` seconds) while it runs; the
entering and listing scripts drop members whose instance key has expired, so the peers of a
killed instance free their rooms within ``INSTANCE_TTL`` without anyone cleaning up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from syncoxide.server.bus.port import Handler, Member, Message

PREFIX = "syncoxide:"
INSTANCE_TTL = 30
ROOM_TTL = 24 * 3600
log = logging.getLogger(__name__)

# Members of a live instance, as a flat list after a leading 1 (or {0} when the room is full).
_ENTER = """
local kept = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local instance = string.match(fields[i + 1], '|(.*)$')
  if redis.call('EXISTS', ARGV[4] .. instance) == 1 then
    table.insert(kept, fields[i]); table.insert(kept, fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
if ARGV[1] == '' then return kept end
if #kept / 2 >= tonumber(ARGV[3]) then return {0} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
table.insert(kept, 1, 1)
return kept
"""


class RedisSubscription:
    def __init__(self, bus: RedisBus, channel: str, handler: Handler) -> None:
        self._bus, self._channel, self._handler = bus, channel, handler

    async def cancel(self) -> None:
        await self._bus.drop(self._channel, self._handler)


class RedisBus:
    """``prefix``: the start of this deployment's channel names (deployment/bus_namespace.py)."""

    def __init__(self, client: aioredis.Redis, prefix: str = PREFIX) -> None:
        self._client = client
        self._prefix = prefix
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._confirmed: dict[str, asyncio.Future[None]] = {}

    async def publish(self, channel: str, message: Message) -> None:
        await self._client.publish(self._prefix + channel, json.dumps(message))

    async def subscribe(self, channel: str, handler: Handler) -> RedisSubscription:
        handlers = self._handlers[channel]
        handlers.append(handler)
        if len(handlers) == 1:
            self._confirmed[channel] = asyncio.get_running_loop().create_future()
            if self._pubsub is None:
                self._pubsub = self._client.pubsub()
            await self._pubsub.subscribe(self._prefix + channel)
            self._ensure_reader()  # after SUBSCRIBE: the reader needs its connection
        confirmed = self._confirmed.get(channel)
        if confirmed is not None:
            await asyncio.shield(confirmed)
        return RedisSubscription(self, channel, handler)

    async def drop(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel, [])
        if handler not in handlers:
            return
        handlers.remove(handler)
        if not handlers:
            del self._handlers[channel]
            self._confirmed.pop(channel, None)
            with contextlib.suppress(RedisError):
                await self._pubsub.unsubscribe(self._prefix + channel)

    def _ensure_reader(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_forever())

    async def _read_forever(self) -> None:
        while True:
            try:
                reply = await self._pubsub.get_message(timeout=1.0)
            except RedisError as error:  # redis-py reconnects and resubscribes on next read
                log.warning("Redis bus: %s; retrying", error)
                await asyncio.sleep(0.5)
                continue
            if reply is not None:
                self._dispatch(reply)

    def _dispatch(self, reply: dict[str, Any]) -> None:
        channel = _text(reply["channel"]).removeprefix(self._prefix)
        if reply["type"] == "subscribe":
            confirmed = self._confirmed.get(channel)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
        elif reply["type"] == "message":
            message = json.loads(reply["data"])
            for handler in list(self._handlers.get(channel, ())):
                handler(message)

    async def aclose(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            await self._pubsub.aclose()
        self._handlers.clear()


class RedisRooms:
    def __init__(self, client: aioredis.Redis, prefix: str = PREFIX) -> None:
        self._client = client
        self._prefix = prefix
        self.instance = uuid.uuid4().hex
        self._heartbeat: asyncio.Task[None] | None = None
        self._enter = client.register_script(_ENTER)

    async def enter(self, room: str, member: Member, capacity: int) -> list[Member] | None:
        await self._keep_alive()
        value = f"{member.role}|{self.instance}"
        reply = await self._run(room, member.peer_id, value, capacity)
        if reply[0] == 0:
            return None
        return _members(reply[1:])

    async def leave(self, room: str, peer_id: str) -> bool:
        return bool(await self._client.hdel(self._prefix + "room:" + room, peer_id))

    async def members(self, room: str) -> list[Member]:
        return _members(await self._run(room, "", "", 0))

    async def _run(self, room: str, peer_id: str, value: str, capacity: int) -> list[Any]:
        keys = [self._prefix + "room:" + room]
        args: list[str | int] = [peer_id, value, capacity, self._prefix + "instance:", ROOM_TTL]
        reply: list[Any] = await self._enter(keys=keys, args=args)
        return reply

    async def _keep_alive(self) -> None:
        """Mark this instance alive before its first member enters, then every third of
        the TTL while it runs."""
        if self._heartbeat is None or self._heartbeat.done():
            await self._beat()
            self._heartbeat = asyncio.create_task(self._beat_forever())

    async def _beat(self) -> None:
        await self._client.set(self._prefix + "instance:" + self.instance, "1", ex=INSTANCE_TTL)

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(INSTANCE_TTL / 3)
            try:
                await self._beat()
            except RedisError as error:
                log.warning("Redis rooms: heartbeat failed: %s", error)

    async def aclose(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        with contextlib.suppress(RedisError):
            await self._client.delete(self._prefix + "instance:" + self.instance)


def _members(flat: list[Any]) -> list[Member]:
    pairs = zip(flat[0::2], flat[1::2], strict=True)
    return [Member(_text(peer), _text(value).rsplit("|", 1)[0]) for peer, value in pairs]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
