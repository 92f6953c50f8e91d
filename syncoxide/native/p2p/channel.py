"""A WebRTC data channel with aiortc, opened through signaling, with backpressure.

ICE servers: those the user gave (``--ice-server``), then those the server's welcome names
(its STUN/TURN, with TURN credentials made for this peer; docs/webrtc-relay.md). None at all
when neither has any: aiortc would otherwise add a public STUN server, and host candidates are
all two peers on one machine or network need. ``relay_only`` keeps every byte on the TURN relay
(neither side learns the other's address). aiortc puts its candidates
in the SDP, so we send no trickle ICE; a browser's trickled candidates are added when they are
plain host candidates (aiortc cannot resolve mDNS ``.local`` names, so those are skipped).

Who offers: a peer that sees ``peer-joined`` (it was there first); a peer that gets an ``offer``
answers. Messages go out in pieces of at most 256 KiB and wait while more than HIGH_WATER bytes
are queued, resuming on ``bufferedamountlow``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.sdp import candidate_from_sdp

from syncoxide.errors import PeerGoneError, TransportError, UsageError
from syncoxide.native.p2p.signal import Message, SignalingClient
from syncoxide.protocol.ice_servers import IceServer, check_url, parse_ice_servers

MAX_MESSAGE = 256 * 1024
#: Each UDP socket's buffers: room for the whole SCTP receive window (aiortc offers 1 MiB)
#: plus the kernel's bookkeeping, so a burst that arrives while the event loop is busy waits
#: in the kernel instead of being dropped (a drop halves SCTP's window, a lost tail waits out
#: a 1 s retransmission timer). The kernel caps it at net.core.rmem_max / wmem_max.
SOCKET_BUFFER = 4 * 1024 * 1024
HIGH_WATER = 12 * 1024 * 1024
LOW_WATER = 1024 * 1024
OPEN_TIMEOUT = 20.0


class ChannelLink:
    """One open data channel: ``send`` with backpressure, ``receive`` whole messages."""

    def __init__(self, connection: RTCPeerConnection, channel: RTCDataChannel) -> None:
        self.connection = connection
        self.channel = channel
        self.incoming: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._drained = asyncio.Event()
        self._aborted = False
        channel.bufferedAmountLowThreshold = LOW_WATER
        channel.on("message", self._on_message)
        channel.on("close", lambda: self.incoming.put_nowait(None))
        channel.on("bufferedamountlow", self._drained.set)

    def _on_message(self, message: Any) -> None:
        if isinstance(message, bytes):
            self.incoming.put_nowait(message)

    async def send(self, data: bytes) -> None:
        for start in range(0, len(data), MAX_MESSAGE):
            while self.channel.bufferedAmount > HIGH_WATER and not self._aborted:
                self._drained.clear()
                await self._drained.wait()
            if self._aborted or self.channel.readyState != "open":
                raise PeerGoneError("The data channel to the other peer closed.")
            self.channel.send(data[start : start + MAX_MESSAGE])

    async def receive(self) -> bytes:
        message = await self.incoming.get()
        if message is None:
            self.incoming.put_nowait(None)
            raise PeerGoneError("The data channel to the other peer closed.")
        return message

    async def flush(self, timeout: float) -> None:
        """Wait (bounded) until everything queued has left, e.g. before closing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.channel.bufferedAmount and loop.time() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the last message is handed to SCTP after bufferedAmount drops

    def abort(self) -> None:
        """The other peer is gone: wake every wait on this channel, a full send queue
        included (a dead peer never drains it), with PeerGoneError."""
        self._aborted = True
        self.incoming.put_nowait(None)
        self._drained.set()

    async def close(self) -> None:
        await self.connection.close()


@dataclass(frozen=True)
class IcePolicy:
    """The user's say on ICE: extra server URLs (``--ice-server``) and ``--relay``."""

    given: tuple[str, ...] = ()
    relay_only: bool = False

    def configuration(self, welcome: Message) -> RTCConfiguration:
        servers = [IceServer((check_url(url),)) for url in self.given]
        servers += parse_ice_servers(welcome.get("iceServers"))
        if self.relay_only and not any(server.is_turn for server in servers):
            raise UsageError(
                "--relay needs a TURN server, and the server offers none.",
                hint="Ask its operator to set up TURN (docs/webrtc-relay.md) or drop --relay.",
            )
        policy = RTCIceTransportPolicy.RELAY if self.relay_only else RTCIceTransportPolicy.ALL
        return RTCConfiguration(iceServers=[_aiortc(s) for s in servers], iceTransportPolicy=policy)


def _aiortc(server: IceServer) -> RTCIceServer:
    if server.is_turn:
        return RTCIceServer(list(server.urls), server.username, server.credential)
    return RTCIceServer(list(server.urls))


async def negotiate(
    signal: SignalingClient, *, offer_now: bool, ice: IcePolicy, wait: float | None
) -> ChannelLink:
    """Open a channel: offer at once if told, else wait for ``peer-joined`` or an ``offer``."""
    configuration = ice.configuration(signal.welcome)
    while not offer_now:
        message = await signal.next(wait)
        if message["type"] == "offer":
            return await _answer(signal, message, configuration)
        offer_now = message["type"] == "peer-joined"
    return await _offer(signal, configuration)


async def _offer(signal: SignalingClient, configuration: RTCConfiguration) -> ChannelLink:
    connection = RTCPeerConnection(configuration)
    channel = connection.createDataChannel("transfer", ordered=True)
    link = ChannelLink(connection, channel)
    await connection.setLocalDescription(await connection.createOffer())
    await signal.send({"type": "offer", "sdp": connection.localDescription.sdp})
    while True:
        message = await _during_setup(signal, connection)
        if message["type"] == "answer":
            answer = RTCSessionDescription(sdp=message["sdp"], type="answer")
            await connection.setRemoteDescription(answer)
            break
    await _wait_open(connection, channel)
    return link


async def _answer(
    signal: SignalingClient, offer: Message, configuration: RTCConfiguration
) -> ChannelLink:
    connection = RTCPeerConnection(configuration)
    arrived: asyncio.Future[ChannelLink] = asyncio.get_running_loop().create_future()

    def on_channel(channel: RTCDataChannel) -> None:
        # Listen before this callback returns: the opener may send right behind its
        # DATA_CHANNEL_OPEN (RFC 8832 section 6; Chromium does), and aiortc hands the next
        # message to the channel's listeners at once, dropping it when there are none yet.
        if not arrived.done():
            arrived.set_result(ChannelLink(connection, channel))

    connection.on("datachannel", on_channel)
    await connection.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
    await connection.setLocalDescription(await connection.createAnswer())
    await signal.send({"type": "answer", "sdp": connection.localDescription.sdp})
    link = await _channel_or_peer_left(signal, connection, arrived)
    await _wait_open(connection, link.channel)
    return link


async def _channel_or_peer_left(
    signal: SignalingClient,
    connection: RTCPeerConnection,
    arrived: asyncio.Future[ChannelLink],
) -> ChannelLink:
    """Wait for the offerer's channel while still reading signaling, so an offerer that dies
    after our answer is reported at once (``peer-left``) instead of after OPEN_TIMEOUT, and its
    trickled candidates are used. Other messages are kept for whoever reads signaling next."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + OPEN_TIMEOUT
    kept: list[Message] = []
    try:
        while not arrived.done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TransportError(f"No data channel opened within {OPEN_TIMEOUT:.0f} s.")
            message = await _next_unless(signal, arrived, remaining)
            if message is not None:
                if message["type"] not in ("ice", "peer-left"):
                    kept.append(message)
                await _during_setup(signal, connection, message)
    except Exception:  # timed out, peer left, or signaling lost: this connection is over
        await connection.close()
        raise
    finally:
        for message in reversed(kept):
            signal.push_back(message)
    return arrived.result()


async def _next_unless(
    signal: SignalingClient, done: asyncio.Future[Any], timeout: float
) -> Message | None:
    """The next signaling message, or None once ``done`` resolves or ``timeout`` passes."""
    reading = asyncio.ensure_future(signal.next())
    finished, _ = await asyncio.wait(
        {reading, done}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if reading in finished:
        return reading.result()
    reading.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reading
    return None


async def _during_setup(
    signal: SignalingClient, connection: RTCPeerConnection, message: Message | None = None
) -> Message:
    """Act on one setup-time message (read now unless given): add a trickled candidate, or
    end the setup with PeerGoneError when the other peer left."""
    if message is None:
        message = await signal.next(OPEN_TIMEOUT)
    if message["type"] == "peer-left":
        await connection.close()
        raise PeerGoneError("The other peer left while the connection was being set up.")
    if message["type"] == "ice" and message.get("candidate"):
        await _add_candidate(connection, message)
    return message


async def _add_candidate(connection: RTCPeerConnection, message: Message) -> None:
    text = str(message["candidate"]).removeprefix("candidate:")
    if ".local" in text:
        return  # mDNS names cannot be resolved by aiortc
    candidate = candidate_from_sdp(text)
    candidate.sdpMid = message.get("sdpMid")
    candidate.sdpMLineIndex = message.get("sdpMLineIndex")
    await connection.addIceCandidate(candidate)


async def _wait_open(connection: RTCPeerConnection, channel: RTCDataChannel) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + OPEN_TIMEOUT
    while channel.readyState != "open":
        if loop.time() > deadline or connection.connectionState in ("failed", "closed"):
            await connection.close()
            raise TransportError(
                "The peer-to-peer connection did not open.",
                hint="Both ends must reach each other directly on this network.",
            )
        await asyncio.sleep(0.01)
    _widen_socket_buffers(connection)


def _widen_socket_buffers(connection: RTCPeerConnection) -> None:
    """Give the connection's UDP sockets room for a full window (see SOCKET_BUFFER). aiortc
    has no setting for it, so this reaches its ICE sockets; if that shape ever changes, the
    defaults stay (slower, never wrong)."""
    ice = getattr(getattr(connection.sctp, "transport", None), "transport", None)
    for protocol in getattr(getattr(ice, "_connection", None), "_protocols", []):
        transport = getattr(protocol, "transport", None)
        udp = transport.get_extra_info("socket") if transport is not None else None
        if udp is not None:
            with contextlib.suppress(OSError):
                udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
                udp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
