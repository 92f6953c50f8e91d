"""The room's server copy in the database (SQLite and PostgreSQL): it lasts as long as its
share link, and only a real share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.server.links.store import Link, LinkStore
from syncoxide.server.signaling import messages as m
from syncoxide.server.signaling.fallbacks import DatabaseFallbackRecords, MemoryFallbackRecords
from syncoxide.server.signaling.routes import RoomRecords, SignalingService
from syncoxide.server.signaling.tokens import RoomTokens
from syncoxide.server.storage.database import Database
from tests.server.signaling.test_signaling_rooms import closed_with, join, new_room
from tests.server.stores.conftest import add_user, database, reopened

SHARE_ID = "ShareLinkForTheFallback"
ROOM = "room-one"
__all__ = ["database"]  # fixtures, registered by name


@dataclass
class StepClock:
    wall: float = 1_000_000.0
    steady: float = 0.0

    def now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.steady


@dataclass
class World:
    links: LinkStore
    records: DatabaseFallbackRecords
    clock: StepClock
    database: Database
    owner: int  # the user id of the share's owner


def _share(share_id: str, user_id: int, expires_at: int | None) -> Link:
    return Link(
        id=share_id,
        kind="share",
        user_id=user_id,
        title="t",
        message="",
        created_at=0,
        expires_at=expires_at,
        allow_late=False,
        max_downloads=None,
        downloads=0,
        last_download_at=None,
        password_hash=None,
        access_secret="secret",
        revoked_at=None,
        max_total_bytes=None,
        max_files=None,
        allowed_types="",
    )


@pytest.fixture
def world(database: Database) -> World:
    """One share of Ann's, on SQLite and on PostgreSQL (the ``database`` fixture's two runs)."""
    owner = add_user(database, "ann")
    links = LinkStore(database)
    clock = StepClock()
    asyncio.run(links.add(_share(SHARE_ID, owner, expires_at=int(clock.wall) + 3600)))
    return World(links, DatabaseFallbackRecords(database, clock), clock, database, owner)


def test_a_record_survives_reopening_the_database(world: World) -> None:
    assert asyncio.run(world.records.remember(ROOM, f"/s/{SHARE_ID}", world.owner))
    database = reopened(world.database)
    try:
        again = DatabaseFallbackRecords(database, world.clock)
        assert asyncio.run(again.lookup(ROOM)) == f"/s/{SHARE_ID}"
        assert asyncio.run(again.lookup("another-room")) is None
    finally:
        database.close()


def test_a_share_that_does_not_exist_is_not_recorded(world: World) -> None:
    assert not asyncio.run(world.records.remember(ROOM, "/s/NoSuchShareOnThisServer", world.owner))
    assert asyncio.run(world.records.lookup(ROOM)) is None


def test_the_record_expires_with_its_share(world: World) -> None:
    asyncio.run(world.records.remember(ROOM, f"/s/{SHARE_ID}", world.owner))
    world.clock.wall += 3601
    assert asyncio.run(world.records.lookup(ROOM)) is None
    assert not asyncio.run(world.records.remember("late-room", f"/s/{SHARE_ID}", world.owner))


def test_a_revoked_share_is_no_longer_offered(world: World) -> None:
    asyncio.run(world.records.remember(ROOM, f"/s/{SHARE_ID}", world.owner))
    asyncio.run(world.links.revoke(SHARE_ID, int(world.clock.wall)))
    assert asyncio.run(world.records.lookup(ROOM)) is None


def test_a_share_of_another_user_is_not_recorded(world: World) -> None:
    assert not asyncio.run(world.records.remember(ROOM, f"/s/{SHARE_ID}", world.owner + 1))
    assert asyncio.run(world.records.lookup(ROOM)) is None


def test_a_memory_record_expires_after_its_lifetime() -> None:
    clock = StepClock()
    records = MemoryFallbackRecords(clock, lifetime=60)
    asyncio.run(records.remember(ROOM, f"/s/{SHARE_ID}", owner=1))
    clock.steady += 59
    assert asyncio.run(records.lookup(ROOM)) == f"/s/{SHARE_ID}"
    clock.steady += 2
    assert asyncio.run(records.lookup(ROOM)) is None


def test_the_room_refuses_a_fallback_to_an_unknown_share(world: World) -> None:
    async def the_owner(websocket: object) -> int:
        return world.owner

    service = SignalingService(
        RoomTokens(b"k" * 32), records=RoomRecords(fallbacks=world.records), identify=the_owner
    )
    with TestClient(Starlette(routes=service.routes())) as client:
        room = new_room(client)
        with client.websocket_connect(f"/signal/{room['room']}") as sender:
            join(sender, room["token"], "sender")
            sender.send_json({"type": "fallback", "url": "/s/NoSuchShareOnThisServer"})
            assert closed_with(sender) == m.CLOSE_NOT_YOURS
        with client.websocket_connect(f"/signal/{room['room']}") as sender:
            join(sender, room["token"], "sender")
            sender.send_json({"type": "fallback", "url": f"/s/{SHARE_ID}"})
            sender.send_json({"type": "ping"})
            assert sender.receive_json() == {"type": "pong"}
        with client.websocket_connect(f"/signal/{room['room']}") as receiver:
            assert join(receiver, room["token"], "receiver")["fallback"] == f"/s/{SHARE_ID}"
