"""The bus a deployment names, opened: nothing for the embedded default, Redis otherwise."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from syncoxide.server.bus.port import Bus, Rooms
from syncoxide.server.bus.redis import RedisBus, RedisRooms
from syncoxide.server.deployment.settings import Target


@dataclass
class SharedBus:
    """A bus with its rooms, shared by every instance of the deployment."""

    bus: Bus
    rooms: Rooms
    closers: tuple[RedisBus, RedisRooms]

    async def aclose(self) -> None:
        for closer in self.closers:
            await closer.aclose()


def open_bus(target: Target) -> SharedBus | None:
    """None for the in-process default (the server's own paths serve it); connections are
    made on first use, inside the server's event loop."""
    if target.kind == "memory":
        return None
    client = aioredis.from_url(target.url, socket_connect_timeout=5, health_check_interval=15)
    bus, rooms = RedisBus(client), RedisRooms(client)
    return SharedBus(bus=bus, rooms=rooms, closers=(bus, rooms))
