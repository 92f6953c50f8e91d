"""Short codes in the data directory: they outlive a restart, expire with their room or share."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
import pytest

from syncoxide.server.signaling.codes import DatabaseShortCodes, MemoryShortCodes
from tests.conftest import start_live_server
from tests.server.signaling.test_fallback_records import (
    ROOM,
    SHARE_ID,
    StepClock,
    World,
    database,
    world,
)
from tests.server.stores.conftest import reopened

pytestmark = pytest.mark.live

__all__ = ["database", "world"]  # fixtures, shared with the fallback record tests
CODE = "7K3Q-9XPM"


def _codes(world: World) -> DatabaseShortCodes:
    return DatabaseShortCodes(world.database, world.clock)


def test_a_code_survives_reopening_the_database(world: World) -> None:
    codes = _codes(world)
    assert asyncio.run(codes.add(CODE, ROOM, 600))
    database = reopened(world.database)
    try:
        again = DatabaseShortCodes(database, world.clock)
        assert asyncio.run(again.lookup(CODE)) == ROOM
        assert asyncio.run(again.lookup("AAAA-AAAA")) is None
    finally:
        database.close()


def test_a_code_in_use_is_never_given_to_another_room(world: World) -> None:
    codes = _codes(world)
    assert asyncio.run(codes.add(CODE, ROOM, 600))
    assert not asyncio.run(codes.add(CODE, "another-room", 600))
    assert asyncio.run(codes.lookup(CODE)) == ROOM


def test_a_code_expires_with_its_room_and_is_then_free_again(world: World) -> None:
    codes = _codes(world)
    asyncio.run(codes.add(CODE, ROOM, 600))
    world.clock.wall += 601
    assert asyncio.run(codes.lookup(CODE)) is None
    assert asyncio.run(codes.add(CODE, "another-room", 600))
    assert asyncio.run(codes.lookup(CODE)) == "another-room"


def test_a_code_lasts_as_long_as_its_rooms_server_copy(world: World) -> None:
    codes = _codes(world)
    asyncio.run(codes.add(CODE, ROOM, 600))
    # The share lasts one hour.
    assert asyncio.run(world.records.remember(ROOM, f"/s/{SHARE_ID}", world.owner))
    world.clock.wall += 1800
    assert asyncio.run(codes.lookup(CODE)) == ROOM  # the room is over, its copy is not
    world.clock.wall += 1801
    assert asyncio.run(codes.lookup(CODE)) is None  # the share expired too


def test_a_memory_code_expires_after_its_lifetime() -> None:
    clock = StepClock()
    codes = MemoryShortCodes(clock)
    assert asyncio.run(codes.add(CODE, ROOM, 60))
    assert not asyncio.run(codes.add(CODE, "another-room", 60))
    clock.steady += 61
    assert asyncio.run(codes.lookup(CODE)) is None


def test_a_code_still_finds_its_room_after_a_server_restart(tmp_path: Path) -> None:
    server = start_live_server(tmp_path / "data")
    try:
        room = httpx2.post(f"{server.url}/signal/rooms", timeout=10).json()
    finally:
        server.stop()
    restarted = start_live_server(server.data_dir, port=int(server.url.rsplit(":", 1)[1]))
    try:
        typed = room["code"].lower().replace("-", " ")
        found = httpx2.get(f"{restarted.url}/signal/codes/{typed}", timeout=10)
        missing = httpx2.get(f"{restarted.url}/signal/codes/AAAA-AAAA", timeout=10)
    finally:
        restarted.stop()
    assert found.status_code == 200, found.text
    assert found.json() == {"room": room["room"], "token": room["token"]}
    assert missing.status_code == 404
