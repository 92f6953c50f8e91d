"""The bus and rooms ports: in-process, on a real Redis and on a real NATS, two instances
side by side."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from syncoxide.errors import PermissionDeniedError, TransportError
from syncoxide.server.bus.memory import MemoryBus, MemoryRooms
from syncoxide.server.bus.nats_bus import NatsBus, NatsRooms, subject_of
from syncoxide.server.bus.nats_link import NatsLink
from syncoxide.server.bus.port import Bus, Member, Rooms
from syncoxide.server.bus.redis import PREFIX, RedisBus, RedisRooms
from syncoxide.server.datadir import migrate
from syncoxide.server.events.service import Notifier
from syncoxide.server.signaling.bus_hub import BusHub
from syncoxide.server.signaling.messages import Message
from syncoxide.server.storage.sqlite import SqliteMetadataStore, open_database
from tests.native.providers.server_processes import free_port
from tests.server.scale.services import drop_nats_buckets, nats_server

Pair = tuple[tuple[Bus, Rooms], tuple[Bus, Rooms]]


class Peer:
    """A PeerLink that keeps what it was given."""

    def __init__(self, peer_id: str, role: str) -> None:
        self.peer_id, self.role = peer_id, role
        self.got: asyncio.Queue[Message] = asyncio.Queue()

    def deliver(self, message: Message) -> None:
        self.got.put_nowait(message)

    async def next(self) -> Message:
        return await asyncio.wait_for(self.got.get(), 5)


async def _with_instances(url: str | None, body: Callable[[Pair], Awaitable[None]]) -> None:
    """Two instances: on one shared Redis or NATS (two connections), or one process's bus
    twice."""
    if url is None:
        bus, rooms = MemoryBus(), MemoryRooms()
        await body(((bus, rooms), (bus, rooms)))
    elif url.startswith("nats://"):
        await _on_nats(url, body)
    else:
        await _on_redis(url, body)


async def _on_redis(url: str, body: Callable[[Pair], Awaitable[None]]) -> None:
    clients = [aioredis.from_url(url) for _ in range(2)]
    made = [(RedisBus(c), RedisRooms(c)) for c in clients]
    try:
        await body(((made[0][0], made[0][1]), (made[1][0], made[1][1])))
    finally:
        for bus, rooms in made:
            await bus.aclose()
            await rooms.aclose()
        for client in clients:
            await client.flushdb()
            await client.aclose()


async def _on_nats(url: str, body: Callable[[Pair], Awaitable[None]]) -> None:
    links = [NatsLink(url) for _ in range(2)]
    made = [(NatsBus(link), NatsRooms(link)) for link in links]
    try:
        await body(((made[0][0], made[0][1]), (made[1][0], made[1][1])))
    finally:
        for bus, rooms in made:
            await bus.aclose()
            await rooms.aclose()
        await drop_nats_buckets(links[0])
        for link in links:
            await link.aclose()


@pytest.fixture(params=["memory", "redis", "nats"])
def backend(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def test_a_message_reaches_every_subscriber_and_stops_after_cancel(backend: str | None) -> None:
    async def body(pair: Pair) -> None:
        (bus_a, _), (bus_b, _) = pair
        heard: list[Any] = []
        subscription = await bus_b.subscribe("news", heard.append)
        for n in range(3):
            await bus_a.publish("news", {"n": n})
        await _until(lambda: len(heard) == 3)
        assert heard == [{"n": 0}, {"n": 1}, {"n": 2}]  # in the order one instance sent them
        await subscription.cancel()
        await subscription.cancel()
        await bus_a.publish("news", {"n": 3})
        await asyncio.sleep(0.2)
        assert len(heard) == 3

    asyncio.run(_with_instances(backend, body))


def test_signaling_across_instances_meets_relays_and_says_goodbye(backend: str | None) -> None:
    async def body(pair: Pair) -> None:
        hub_a, hub_b = BusHub(*pair[0]), BusHub(*pair[1])
        sender, receiver, third = (
            Peer("s1", "sender"),
            Peer("r1", "receiver"),
            Peer("x", "receiver"),
        )
        assert await hub_a.join("room1", sender) == []
        present = await hub_b.join("room1", receiver)
        assert present == [{"peer": "s1", "role": "sender"}]
        assert await sender.next() == {"type": "peer-joined", "peer": "r1", "role": "receiver"}
        assert sorted(await hub_a.roles("room1")) == ["receiver", "sender"]
        with pytest.raises(PermissionDeniedError):
            await hub_a.join("room1", third)  # two peers per room, counted across instances
        await hub_a.relay("room1", "s1", {"type": "offer", "sdp": "v=0"})
        assert await receiver.next() == {"type": "offer", "sdp": "v=0", "from": "s1"}
        await hub_b.relay("room1", "r1", {"type": "answer", "sdp": "v=0 a"})
        assert (await sender.next())["type"] == "answer"
        await hub_b.leave("room1", "r1")
        assert await sender.next() == {"type": "peer-left", "peer": "r1"}
        assert receiver.got.empty()  # nobody hears their own messages
        await hub_a.leave("room1", "s1")
        assert await hub_b.roles("room1") == []

    asyncio.run(_with_instances(backend, body))


def test_the_peers_of_a_dead_instance_free_their_room(bus_url: str) -> None:
    async def body(pair: Pair) -> None:
        (_, rooms_a), (_, rooms_b) = pair
        assert await rooms_a.enter("r", Member("p1", "sender"), 2) == []
        assert await rooms_a.enter("r", Member("p2", "receiver"), 2) is not None
        assert await rooms_b.enter("r", Member("p3", "receiver"), 2) is None
        # The instance's key lapses as when it is killed and stops refreshing it.
        await _lapse(bus_url, rooms_a)
        assert await rooms_b.members("r") == []
        assert await rooms_b.enter("r", Member("p3", "receiver"), 2) == []

    asyncio.run(_with_instances(bus_url, body))


async def _lapse(url: str, rooms: Rooms) -> None:
    if isinstance(rooms, NatsRooms):
        link = NatsLink(url)
        instances = await (await link.client()).jetstream().key_value("syncoxide_instances")
        await instances.delete(rooms.instance)
        await link.aclose()
        return
    assert isinstance(rooms, RedisRooms)
    client = aioredis.from_url(url)
    await client.delete(PREFIX + "instance:" + rooms.instance)
    await client.aclose()


def test_entering_a_room_is_atomic_across_instances(bus_url: str) -> None:
    """Ten peers rush a room of two from both instances: exactly two get in."""

    async def body(pair: Pair) -> None:
        (_, rooms_a), (_, rooms_b) = pair
        tries = [
            (rooms_a if n % 2 else rooms_b).enter("rush", Member(f"p{n}", "receiver"), 2)
            for n in range(10)
        ]
        answers = await asyncio.gather(*tries)
        assert sum(answer is not None for answer in answers) == 2
        assert len(await rooms_a.members("rush")) == 2

    asyncio.run(_with_instances(bus_url, body))


def test_a_nats_subject_holds_exactly_one_channel() -> None:
    assert subject_of("events.7") == "syncoxide.events%2E7"
    assert subject_of("signaling.a b*>") == "syncoxide.signaling%2Ea%20b%2A%3E"
    assert subject_of("a.b") != subject_of("a%2Eb")


def test_a_notification_reaches_a_subscriber_on_another_instance(
    backend: str | None, tmp_path: Path
) -> None:
    async def body(pair: Pair) -> None:
        migrate(open_database(tmp_path / "db.sqlite3"))
        store = SqliteMetadataStore.open(tmp_path / "db.sqlite3")
        here, there = Notifier(store, pair[0][0]), Notifier(store, pair[1][0])
        user = await store.create_user("ada", "Ada", None, 1)
        async with here.subscribe(user.id) as queue:
            sent = await there.emit(user.id, "share.created", {"id": 7}, now=100)
            got = await asyncio.wait_for(queue.get(), 5)
            assert got == sent
            assert here.listeners(user.id) == 1 and there.listeners(user.id) == 0

    asyncio.run(_with_instances(backend, body))


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in 5 s")


def test_a_nats_bus_that_does_not_answer_fails_each_use_and_hangs_nothing() -> None:
    async def main() -> None:
        link = NatsLink("nats://ops:pw@127.0.0.1:1", "nats://ops:***@127.0.0.1:1")
        bus = NatsBus(link)
        for _ in range(2):  # the second subscriber is not left waiting on the first
            with pytest.raises(TransportError, match=r"nats://ops:\*\*\*@127.0.0.1:1") as caught:
                await asyncio.wait_for(bus.subscribe("events.1", lambda message: None), 15)
            assert "pw@" not in str(caught.value)
        await bus.aclose()
        await link.aclose()

    asyncio.run(main())


def test_the_nats_bus_carries_on_after_the_nats_server_restarts(tmp_path: Path) -> None:
    """Subscriptions come back by themselves and rooms survive (JetStream's file store)."""
    if shutil.which("nats-server") is None:
        pytest.skip("nats-server is not installed (apt-get install -y nats-server)")
    port, folder = free_port(), tmp_path / "nats"
    folder.mkdir()

    async def main() -> None:
        url = f"nats://127.0.0.1:{port}"
        links = [NatsLink(url) for _ in range(2)]
        (bus_a, rooms_a), (bus_b, rooms_b) = [(NatsBus(k), NatsRooms(k)) for k in links]
        heard: list[Any] = []
        with nats_server(port=port, folder=folder):
            await bus_b.subscribe("news", heard.append)
            assert await rooms_a.enter("r", Member("p1", "sender"), 2) == []
        with nats_server(port=port, folder=folder):
            for _ in range(100):  # nats-py reconnects on its own schedule
                await bus_a.publish("news", {"n": 1})
                await asyncio.sleep(0.1)
                if heard:
                    break
            assert heard and heard[0] == {"n": 1}
            assert await rooms_b.members("r") == [Member("p1", "sender")]
            for bus, rooms in ((bus_a, rooms_a), (bus_b, rooms_b)):
                await bus.aclose()
                await rooms.aclose()
            for link in links:
                await link.aclose()

    asyncio.run(main())
