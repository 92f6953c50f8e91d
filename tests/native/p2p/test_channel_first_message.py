"""The answering end of a data channel keeps the first messages, however soon they come.

RFC 8832 section 6 lets the opener send right behind its DATA_CHANNEL_OPEN, without waiting for
the ACK, and Chromium does. aiortc hands such a message to the channel's listeners as soon as it
is read, so an answerer that listened only once its task woke up lost it: a device sync session
then saw ``records`` where it expected ``auth`` ("Expected 'auth' from the peer first").
"""

from __future__ import annotations

import asyncio

from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from syncoxide.native.p2p.channel import IcePolicy, negotiate
from syncoxide.native.p2p.signal import RoomAddress, SignalingClient, create_room
from tests.conftest import LiveServer

MESSAGES = [b"auth", b"records", b"index", b"want", b"last"]
ROUNDS = 5


async def eager_opener(address: RoomAddress, joined: asyncio.Event, read: asyncio.Event) -> None:
    """An offerer that sends as a browser may: behind the OPEN, before the ACK is back. aiortc
    itself waits for the ACK, so its SCTP transport is asked directly (the same queue the
    OPEN went into, so the order on the wire is OPEN then the messages). It stays until the
    answerer has read them (``read``): closing sooner could cut what is still in flight."""
    signal = await SignalingClient.join(address, "sender")
    joined.set()  # in the room first, so the other end answers
    connection = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        while (await signal.next(30))["type"] != "peer-joined":
            pass
        channel = connection.createDataChannel("transfer", ordered=True)
        await connection.setLocalDescription(await connection.createOffer())
        await signal.send({"type": "offer", "sdp": connection.localDescription.sdp})
        while (message := await signal.next(30))["type"] != "answer":
            pass
        await connection.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
        await _send_behind_open(connection, channel)
        async with asyncio.timeout(30):
            await read.wait()
    finally:
        await connection.close()
        await signal.close()


async def _send_behind_open(connection: RTCPeerConnection, channel: RTCDataChannel) -> None:
    sctp = connection.sctp
    assert sctp is not None  # an offer with a data channel has one
    async with asyncio.timeout(20):
        while channel.id is None or channel.id not in sctp._data_channels:
            await asyncio.sleep(0.001)  # the OPEN is queued the moment SCTP is up
    for message in MESSAGES:
        sctp._data_channel_send(channel, message)


async def answer_and_read(address: RoomAddress) -> list[bytes]:
    signal = await SignalingClient.join(address, "receiver")
    link = await negotiate(signal, offer_now=False, ice=IcePolicy(), wait=30)
    try:
        async with asyncio.timeout(10):
            return [await link.receive() for _ in MESSAGES]
    finally:
        await link.close()
        await signal.close()


def test_messages_sent_right_behind_the_open_all_reach_the_answerer(
    live_server: LiveServer,
) -> None:
    async def rounds() -> list[list[bytes]]:
        seen = []
        for _ in range(ROUNDS):
            address, _ = await create_room(live_server.url)
            joined, read = asyncio.Event(), asyncio.Event()
            opener = asyncio.create_task(eager_opener(address, joined, read))
            await joined.wait()
            try:
                seen.append(await answer_and_read(address))
            finally:
                read.set()
                await opener
        return seen

    assert asyncio.run(rounds()) == [MESSAGES] * ROUNDS
