"""Two deployments on one Redis or NATS hear nothing of each other (bus_namespace.py).

Redis's pub/sub ignores the database number, so before namespaces a deployment on
``redis://h/1`` received the live events another on ``redis://h/2`` published for its user of
the same id; these tests publish through ``open_bus`` as the server does, on the real servers.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from syncoxide.errors import ConfigError
from syncoxide.server.bus.choose import SharedBus, open_bus
from syncoxide.server.bus.nats_link import NatsLink
from syncoxide.server.bus.port import Member
from syncoxide.server.deployment.bus_namespace import bus_address
from syncoxide.server.deployment.settings import Target, parse_deployment
from tests.server.scale.services import drop_nats_buckets


@pytest.mark.parametrize(
    ("url", "client_url", "namespace"),
    [
        ("redis://h:6379/0", "redis://h:6379/0", ""),
        ("redis://h:6379", "redis://h:6379", ""),
        ("redis://h:6379/2", "redis://h:6379/2", "db2"),
        ("rediss://:pw@h:6380/11", "rediss://:pw@h:6380/11", "db11"),
        ("redis://h:6379/0?db=3", "redis://h:6379/0?db=3", "db3"),
        ("redis://h/2?namespace=staging", "redis://h/2", "staging"),
        ("redis://h/0?namespace=a-b_1&health=1", "redis://h/0?health=1", "a-b_1"),
        ("nats://h:4222", "nats://h:4222", ""),
        ("nats://u:p@h:4222?namespace=prod", "nats://u:p@h:4222", "prod"),
    ],
)
def test_a_bus_url_gives_the_clients_url_and_the_namespace(
    url: str, client_url: str, namespace: str
) -> None:
    address = bus_address(url)
    assert (address.url, address.namespace) == (client_url, namespace)


@pytest.mark.parametrize("bad", ["", "a.b", "a b", "x" * 41, "*", "dé"])
def test_a_namespace_that_cannot_name_bus_subjects_is_refused_at_start(bad: str) -> None:
    with pytest.raises(ConfigError, match="namespace"):
        parse_deployment({"SYNCOXIDE_BUS": f"nats://h:4222?namespace={bad}"}, {}, "settings")


def _opened(url: str) -> SharedBus:
    kind = "nats" if url.startswith("nats://") else "redis"
    shared = open_bus(Target(kind, url, "test"))
    assert shared is not None
    return shared


async def _heard_from(url_here: str, url_there: str) -> tuple[list[Any], list[Any]]:
    """What a subscriber on ``url_here`` hears when each deployment publishes once on the
    same channel, and what a second instance of ``url_here``'s deployment hears."""
    here, twin, there = _opened(url_here), _opened(url_here), _opened(url_there)
    heard: list[Any] = []
    twin_heard: list[Any] = []
    try:
        listening = await here.bus.subscribe("events:7", heard.append)
        twin_listening = await twin.bus.subscribe("events:7", twin_heard.append)
        await there.bus.publish("events:7", {"name": "the other deployment's file.pdf"})
        await twin.bus.publish("events:7", {"name": "ours.pdf"})
        for _ in range(100):
            if heard and twin_heard:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # time enough for a stray message to arrive as well
        await listening.cancel()
        await twin_listening.cancel()
    finally:
        for shared in (here, twin, there):
            await shared.aclose()
    return heard, twin_heard


def test_redis_databases_keep_deployments_apart_on_pubsub(redis_url: str) -> None:
    server = redis_url.rsplit("/", 1)[0]
    heard, twin_heard = asyncio.run(_heard_from(f"{server}/1", f"{server}/2"))
    assert heard == [{"name": "ours.pdf"}]
    assert twin_heard == [{"name": "ours.pdf"}]


def test_named_namespaces_keep_deployments_apart_on_one_bus(bus_url: str) -> None:
    joiner = "&" if "?" in bus_url else "?"
    heard, _ = asyncio.run(
        _heard_from(f"{bus_url}{joiner}namespace=a", f"{bus_url}{joiner}namespace=b")
    )
    assert heard == [{"name": "ours.pdf"}]


def test_rooms_of_the_same_name_in_two_namespaces_are_two_rooms(bus_url: str) -> None:
    joiner = "&" if "?" in bus_url else "?"

    async def body() -> None:
        first = _opened(f"{bus_url}{joiner}namespace=one")
        second = _opened(f"{bus_url}{joiner}namespace=two")
        try:
            assert await first.rooms.enter("room", Member("p1", "sender"), 1) == []
            assert await second.rooms.enter("room", Member("p2", "sender"), 1) == []
            assert await first.rooms.members("room") == [Member("p1", "sender")]
            assert await second.rooms.members("room") == [Member("p2", "sender")]
        finally:
            for shared in (first, second):
                await shared.aclose()
            await _emptied(bus_url)

    asyncio.run(body())


async def _emptied(url: str) -> None:
    """The bus as the other bus tests leave it: no rooms, no buckets."""
    if url.startswith("nats://"):
        link = NatsLink(url)
        await drop_nats_buckets(link, ("one", "two"))
        await link.aclose()
        return
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
