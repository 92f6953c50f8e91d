"""Peer-to-peer in the browser: signaling over a WebSocket, a data channel over WebRTC.

The same roles as the CLI (syncoxide/native/p2p/channel.py): the peer that sees ``peer-joined``
offers, the other answers. ICE servers: exactly those the server's welcome names (its STUN/TURN,
TURN credentials made for this peer); none configured, none used: host candidates only, never
a public STUN server.
Descriptions are sent once ICE gathering is complete, so they already hold every candidate and
the other end (aiortc or a browser) needs no trickle ICE.

Backpressure: messages of at most 256 KiB; while ``bufferedAmount`` is above HIGH_WATER (12 MiB,
under Chromium's ~16 MiB "send queue is full"), ``send`` waits for ``bufferedamountlow``.

File bytes stay in JavaScript (``/static/p2p-data.js``): incoming messages are split into frames
there (DATA frames with their header read out, for the receiver to check before writing), and
a sender's DATA is read from its files and framed there (``data_sender``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import js
from pyodide.ffi import create_proxy, to_js

from syncoxide.errors import AuthenticationError, PeerGoneError, TransportError
from syncoxide.protocol.ice_servers import parse_ice_servers
from syncoxide_web.platform.scripts import load_static

MAX_MESSAGE = 256 * 1024
HIGH_WATER = 12 * 1024 * 1024
LOW_WATER = 1024 * 1024
OPEN_TIMEOUT = 20.0
DATA_PLANE = "/static/p2p-data.js"


def _js_object(**values: Any) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


class BrowserSignaling:
    """One room socket: a queue of messages in, JSON out, a ping every 10 s."""

    def __init__(self, url: str) -> None:
        self.socket = js.WebSocket.new(url)
        self.messages: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.close_code = 0
        self._proxies: list[Any] = [
            create_proxy(lambda e: self.messages.put_nowait(json.loads(e.data))),
            create_proxy(self._on_close),
        ]
        self.socket.onmessage, self.socket.onclose = self._proxies
        self.welcome: dict[str, Any] = {}
        self.others: dict[str, str] = {}  # peer id -> role, from welcome, joins and leaves
        self.fallback: str | None = None  # the sender's server copy (a share link path), if any
        # The other side's cancel, said through signaling: it arrives at once, while its CANCEL
        # frame may sit behind a window of DATA on the data channel.
        self.cancel_reason: str | None = None
        self._pinger: asyncio.Task[None] | None = None

    def _on_close(self, event: Any) -> None:
        self.close_code = int(event.code)
        self.messages.put_nowait(None)

    @classmethod
    async def join(cls, server: str, room: str, token: str, role: str) -> BrowserSignaling:
        url = server.replace("http", "ws", 1) + f"/signal/{room}"
        signal = cls(url)
        opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_open(_event: Any) -> None:
            if not opened.done():
                opened.set_result(None)

        proxy = create_proxy(on_open)
        signal._proxies.append(proxy)
        signal.socket.onopen = proxy
        await asyncio.wait_for(opened, 10)
        signal.send({"type": "join", "token": token, "role": role})
        signal.welcome = await signal.next(10)
        signal.others = {peer["peer"]: peer["role"] for peer in signal.welcome.get("peers", [])}
        signal.fallback = signal.welcome.get("fallback")
        signal._pinger = asyncio.create_task(signal._ping())
        return signal

    def send(self, message: dict[str, Any]) -> None:
        if self.socket.readyState == 1:
            self.socket.send(json.dumps(message))

    async def next(self, timeout: float | None = None) -> dict[str, Any]:
        message = await asyncio.wait_for(self.messages.get(), timeout)
        if message is None:
            self.messages.put_nowait(None)
            if self.close_code == 4401:
                raise AuthenticationError("The server refused the room token: use the full link.")
            raise TransportError(f"The signaling connection closed ({self.close_code}).")
        kind = message.get("type")
        if kind == "peer-joined":
            self.others[message["peer"]] = message["role"]
        elif kind == "peer-left":
            self.others.pop(message["peer"], None)
        elif kind == "fallback":
            self.fallback = message["url"]
        elif kind == "cancel":
            self.cancel_reason = str(message.get("reason"))
        if kind in ("pong", "fallback"):
            return await self.next(timeout)
        return message

    @property
    def sender_present(self) -> bool:
        return "sender" in self.others.values()

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(10)
            self.send({"type": "ping"})

    def close(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
        self.socket.close()


class BrowserChannel:
    """An open RTCDataChannel: ``send`` with backpressure; what arrives is read as frames."""

    def __init__(self, connection: Any, channel: Any, *, whole: bool = False) -> None:
        self.connection, self.channel = connection, channel
        # Made at once (in the datachannel event itself), so no early message misses it.
        # ``whole``: each message is one item (JSON messages), not a stream of frames.
        self.inbox = js.syncoxideP2P.DataInbox.new(channel, whole)
        self._drained = asyncio.Event()
        self._aborted = False
        channel.bufferedAmountLowThreshold = LOW_WATER
        self._proxies: list[Any] = [create_proxy(lambda _e: self._drained.set())]
        channel.onbufferedamountlow = self._proxies[0]

    def hold(self, proxy: Any) -> None:
        """Keep a JavaScript callback made for this connection alive as long as the channel."""
        self._proxies.append(proxy)

    async def send(self, data: bytes) -> None:
        for start in range(0, len(data), MAX_MESSAGE):
            while self.channel.bufferedAmount > HIGH_WATER and not self._aborted:
                self._drained.clear()
                await self._drained.wait()
            if self._aborted or self.channel.readyState != "open":
                raise PeerGoneError("The data channel to the other peer closed.")
            self.channel.send(to_js(data[start : start + MAX_MESSAGE]))

    def send_now(self, data: bytes) -> None:
        """A small control frame (CANCEL) sent at once, without waiting for backpressure."""
        if data and self.channel.readyState == "open":
            self.channel.send(to_js(data))

    def data_sender(self, chunk_size: int) -> Any:
        """A JavaScript DataSender on this channel: it reads and frames the sender's spans."""
        return js.syncoxideP2P.DataSender.new(self.channel, HIGH_WATER, chunk_size)

    async def wait_sent(self, timeout: float) -> None:
        """Wait, bounded, until what was sent has left (``bufferedAmount`` is 0)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.channel.bufferedAmount and self.channel.readyState == "open":
            if asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.05)

    async def wait_peer_closed(self, timeout: float) -> None:
        """After a last frame (CANCEL): wait, bounded, for the other side to close the channel.
        Closing ours first may drop the frame on the way; the peer closes once it has it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.channel.readyState == "open" and not self._aborted:
            if asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.05)

    async def receive_items(self, limit: int, gather: float = 0.0) -> Any:
        """The frames that arrived, about ``limit`` bytes of them (at least one), as the inbox's
        items (a JS array). With ``gather`` (seconds), waits that long for ``limit`` bytes to
        gather: one wake-up per batch instead of per message, since each wake-up of a Pyodide
        task goes through the browser's task queue."""
        await self.inbox.wait(limit if gather else 1, gather * 1000)
        if self._aborted or self.inbox.empty:
            raise PeerGoneError("The data channel to the other peer closed.")
        return self.inbox.take(limit)

    async def receive(self) -> bytes:
        """The next whole frame."""
        items = await self.receive_items(1)
        return bytes(items[0].frame.to_bytes())

    def abort(self) -> None:
        """The other peer is gone: wake every wait on this channel with PeerGoneError."""
        self._aborted = True
        self.inbox.close()
        self._drained.set()

    def close(self) -> None:
        self.connection.close()


async def watch_presence(signal: BrowserSignaling, link: BrowserChannel) -> None:
    """End ``link`` when signaling says the other peer left or started over: a Chromium data
    channel may never fire ``close`` when the other tab goes, but its socket's end is seen."""
    while True:
        try:
            message = await signal.next()
        except TransportError:
            link.abort()
            return
        if message["type"] in ("peer-left", "offer", "cancel"):
            if message["type"] == "offer":  # a new connection is on its way: keep it for later
                signal.messages.put_nowait(message)
            link.abort()
            return


async def _complete_description(connection: Any) -> str:
    """Wait (bounded) for ICE gathering so the description carries every host candidate."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while connection.iceGatheringState != "complete" and loop.time() < deadline:
        await asyncio.sleep(0.01)
    return str(connection.localDescription.sdp)


async def negotiate(
    signal: BrowserSignaling, *, offer_now: bool, wait: float | None, whole: bool = False
) -> BrowserChannel:
    """The open channel; ``whole`` for peers that send whole messages (device pairing)."""
    await load_static("syncoxideP2P", DATA_PLANE)
    while not offer_now:
        message = await signal.next(wait)
        if message["type"] == "offer":
            return await _answer(signal, message["sdp"], whole)
        offer_now = message["type"] == "peer-joined"
    return await _offer(signal, whole)


def _new_connection(signal: BrowserSignaling) -> Any:
    servers = parse_ice_servers(signal.welcome.get("iceServers"))
    listed = to_js([s.to_json() for s in servers], dict_converter=js.Object.fromEntries)
    return js.RTCPeerConnection.new(_js_object(iceServers=listed))


async def _offer(signal: BrowserSignaling, whole: bool) -> BrowserChannel:
    connection = _new_connection(signal)
    channel = connection.createDataChannel("transfer", _js_object(ordered=True))
    link = BrowserChannel(connection, channel, whole=whole)
    await connection.setLocalDescription(await connection.createOffer())
    signal.send({"type": "offer", "sdp": await _complete_description(connection)})
    while (message := await signal.next(OPEN_TIMEOUT))["type"] != "answer":
        if message["type"] == "peer-left":
            connection.close()
            raise PeerGoneError("The other peer left while the connection was being set up.")
    await connection.setRemoteDescription(_js_object(type="answer", sdp=message["sdp"]))
    await _wait_open(link)
    return link


async def _answer(signal: BrowserSignaling, sdp: str, whole: bool) -> BrowserChannel:
    connection = _new_connection(signal)
    arrived: asyncio.Future[BrowserChannel] = asyncio.get_running_loop().create_future()

    def on_channel(event: Any) -> None:
        # Wrapped at once, in the event itself, so no early message misses its handler.
        if not arrived.done():
            arrived.set_result(BrowserChannel(connection, event.channel, whole=whole))

    proxy = create_proxy(on_channel)
    connection.ondatachannel = proxy
    await connection.setRemoteDescription(_js_object(type="offer", sdp=sdp))
    await connection.setLocalDescription(await connection.createAnswer())
    signal.send({"type": "answer", "sdp": await _complete_description(connection)})
    link = await asyncio.wait_for(arrived, OPEN_TIMEOUT)
    link.hold(proxy)
    await _wait_open(link)
    return link


async def _wait_open(link: BrowserChannel) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + OPEN_TIMEOUT
    while link.channel.readyState != "open":
        if loop.time() > deadline or link.connection.connectionState == "failed":
            link.close()
            raise TransportError("The peer-to-peer connection did not open.")
        await asyncio.sleep(0.01)
