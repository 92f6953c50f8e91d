"""The daemon's side of device rooms against a live server: both ends of a pair get the same
room, a server without the endpoint is reported as such, and a kept token refused after the
server's room secret changed is replaced by a fresh one."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_id import device_id
from syncoxide.devices.device_room import sign_request
from syncoxide.devices.signing import Identity
from syncoxide.errors import AuthenticationError, TransportError
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.native.devices.folders import FolderBook
from syncoxide.native.devices.meetings import join_meeting, meeting_for
from syncoxide.native.devices.store import DeviceStore
from syncoxide.native.p2p.signal import RoomAddress, SignalingClient, device_room
from tests.conftest import LiveServer, start_live_server

pytestmark = pytest.mark.live  # the layer is known from the fixture, but one test starts its own
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


def test_a_token_refused_after_the_server_secret_changed_is_asked_for_again(
    tmp_path: Path,
) -> None:
    server = start_live_server(tmp_path / "server-data")
    store = DeviceStore(tmp_path / "desktop")
    store.folder.mkdir(parents=True)

    async def keep_a_room() -> RoomAddress:
        desktop, phone = await identity("desktop"), await identity("phone")
        kept = await ask(server.url, desktop, phone)
        FolderBook(store.folder).remember_meeting(device_id(phone.public), kept)
        return kept

    async def meet_again(kept: RoomAddress) -> None:
        desktop, phone = await identity("desktop"), await identity("phone")
        with pytest.raises(AuthenticationError):  # the old token is no longer the server's
            await SignalingClient.join(kept, "sender")
        address = await meeting_for(store, desktop, phone.public)
        assert address == kept  # still the kept one until the server refuses it
        signal = await join_meeting(store, address, me=desktop, peer=phone.public, role="sender")
        fresh = FolderBook(store.folder).meeting(device_id(phone.public))
        assert fresh is not None and fresh.room == kept.room and fresh.token != kept.token
        theirs = await ask(server.url, phone, desktop)  # the peer lands in the same room
        assert theirs == fresh
        other = await SignalingClient.join(theirs, "receiver")
        await other.close()
        await signal.close()

    try:
        kept = asyncio.run(keep_a_room())
        port = int(server.url.rsplit(":", 1)[1])
        server.stop()
        server = start_live_server(tmp_path / "new-server-data", port)  # a new room secret
        asyncio.run(meet_again(kept))
    finally:
        server.stop()
