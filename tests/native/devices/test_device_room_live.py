"""The daemon's side of device rooms against a live server: both ends of a pair get the same
room, and a server without the endpoint is reported as such."""

from __future__ import annotations

import asyncio
import hashlib
import time

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_room import sign_request
from syncoxide.devices.signing import Identity
from syncoxide.errors import TransportError
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.native.p2p.signal import RoomAddress, SignalingClient, device_room
from tests.conftest import LiveServer

ED25519 = NativeEd25519()


async def identity(name: str) -> Identity:
    seed = SecretBytes(hashlib.sha256(name.encode()).digest())
    return Identity(seed, await ED25519.public_key(seed), name)


async def ask(server: str, me: Identity, peer: Identity) -> RoomAddress:
    request = await sign_request(me, peer.public, issued_at=int(time.time()), ed25519=ED25519)
    return await device_room(server, request.to_json())


def test_both_devices_get_one_room_they_can_join(live_server: LiveServer) -> None:
    async def scenario() -> None:
        desktop, phone = await identity("desktop"), await identity("phone")
        mine = await ask(live_server.url, desktop, phone)
        assert await ask(live_server.url, phone, desktop) == mine
        signal = await SignalingClient.join(mine, "sender")  # the token is the server's own
        await signal.close()

    asyncio.run(scenario())


def test_a_server_without_device_rooms_is_named_in_the_error(live_server: LiveServer) -> None:
    async def scenario() -> None:
        desktop, phone = await identity("desktop"), await identity("phone")
        with pytest.raises(TransportError, match="offers no device rooms"):
            await ask(f"{live_server.url}/elsewhere", desktop, phone)

    asyncio.run(scenario())
