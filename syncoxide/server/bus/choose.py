"""The bus a deployment names, opened: nothing for the embedded default, Redis or NATS
otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from syncoxide.server.deployment.bus_namespace import bus_address

if TYPE_CHECKING:
    from syncoxide.server.accounts.cli_codes import CliCodes
    from syncoxide.server.bus.port import Bus, Rooms
    from syncoxide.server.deployment.settings import Target
    from syncoxide.server.ratelimit import Limiter


class Closable(Protocol):
    async def aclose(self) -> None: ...


@dataclass
class SharedBus:
    """A bus with its rooms, rate limits and sign-in codes, shared by every instance."""

    bus: Bus
    rooms: Rooms
    limiter: Limiter
    cli_codes: CliCodes
    closers: tuple[Closable, ...]  # in order; the connection they share last

    async def aclose(self) -> None:
        for closer in self.closers:
            await closer.aclose()


def open_bus(target: Target) -> SharedBus | None:
    """None for the in-process default (the server's own paths serve it); connections are
    made on first use, inside the server's event loop."""
    if target.kind == "memory":
        return None
    if target.kind == "nats":
        return _nats(target)
    # The clients are imported only for the bus in use: the embedded default loads neither.
    import redis.asyncio as aioredis

    from syncoxide.server.bus.redis import PREFIX, RedisBus, RedisRooms
    from syncoxide.server.bus.redis_state import RedisCliCodes, RedisRateLimiter

    address = bus_address(target.url, target.source)
    client = aioredis.from_url(address.url, socket_connect_timeout=5, health_check_interval=15)
    prefix = address.joined(PREFIX, ":")
    bus, rooms = RedisBus(client, prefix), RedisRooms(client, prefix)
    return SharedBus(
        bus=bus,
        rooms=rooms,
        limiter=RedisRateLimiter(client, prefix),
        cli_codes=RedisCliCodes(client, prefix),
        closers=(bus, rooms),
    )


def _nats(target: Target) -> SharedBus:
    from syncoxide.server.bus.nats_bus import NatsBus, NatsRooms
    from syncoxide.server.bus.nats_link import NatsLink
    from syncoxide.server.bus.nats_state import NatsCliCodes, NatsRateLimiter

    address = bus_address(target.url, target.source)
    link = NatsLink(address.url, target.shown, address.namespace)
    bus, rooms = NatsBus(link), NatsRooms(link)
    return SharedBus(
        bus=bus,
        rooms=rooms,
        limiter=NatsRateLimiter(link),
        cli_codes=NatsCliCodes(link),
        closers=(bus, rooms, link),
    )
