"""The signaling ping is the connection's one keepalive: a live server answers it and the
client stays; a server that went silent (its TCP connection still open) is noticed after
``SILENT_AFTER`` pings and becomes "connection lost" for whoever waits on the room."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from syncoxide.errors import TransportError
from syncoxide.native.p2p.signal import SILENT_AFTER, SignalingClient, create_room
from tests.conftest import LiveServer

PING_EVERY = 0.25  # the real server allows 20 messages a second


async def hung_server(socket: ServerConnection) -> None:
    """A fake: a server process that stopped answering (hung, or its host vanished behind a NAT
    that keeps the TCP connection open). The real server cannot be made to do that."""
    await socket.recv()  # the join
    await socket.send(json.dumps({"type": "welcome", "peers": []}))
    await socket.wait_closed()  # reads no message, answers none


def test_a_silent_server_is_noticed_after_a_few_pings() -> None:
    async def test() -> float:
        async with serve(hung_server, "127.0.0.1", 0, ping_interval=None) as server:
            port = server.sockets[0].getsockname()[1]
            socket = await connect(f"ws://127.0.0.1:{port}/signal/room", ping_interval=None)
            await socket.send(json.dumps({"type": "join", "token": "t", "role": "sender"}))
            welcome = json.loads(await socket.recv())
            client = SignalingClient(socket, welcome, ping_every=PING_EVERY)
            started = asyncio.get_running_loop().time()
            with pytest.raises(TransportError, match="lost"):
                await client.next(timeout=10)
            await client.close()
            return asyncio.get_running_loop().time() - started

    waited = asyncio.run(test())
    assert SILENT_AFTER * PING_EVERY <= waited <= (SILENT_AFTER + 2) * PING_EVERY + 1


def test_a_live_server_keeps_the_client_past_the_silence_deadline(live_server: LiveServer) -> None:
    async def test() -> None:
        address, _ = await create_room(live_server.url)
        client = await SignalingClient.join(address, "sender", ping_every=PING_EVERY)
        with pytest.raises(TimeoutError):  # nothing to read, and still connected
            await client.next(timeout=(SILENT_AFTER + 4) * PING_EVERY)
        await client.send({"type": "ping"})
        await client.close()

    asyncio.run(test())
