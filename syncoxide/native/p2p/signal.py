"""The CLI's side of signaling: find the room from a link or code, join it, trade messages.

A link looks like ``http://host:port/p/<room>#<token>``: the token sits in the fragment so it is
never sent in an HTTP request line or logged. A short code (``7K3Q-9XPM``) is turned into room
and token by asking the server. A background task reads the socket into a queue and pings every
10 s so the server knows we are alive; a close from the server becomes an error from our tree.

That ping is the connection's one keepalive, both ways: the server closes a socket that sent no
message for 30 s (a browser cannot send WebSocket ping frames, and the app never sees them), and
answers each ping with a pong, so a server heard from not at all for ``SILENT_AFTER`` pings is
taken as gone and the socket dropped. The WebSocket library's own ping (every 20 s, 20 s to
answer) would only repeat that detection with a second timer, so it is turned off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from syncoxide.errors import (
    AuthenticationError,
    NotFoundError,
    PeerGoneError,
    TransportError,
    UsageError,
)
from syncoxide.protocol.events import Cancel
from syncoxide.protocol.peer_failures import error_from_peer

PING_EVERY = 10.0
#: Pings without a word from the server before it counts as gone: it is noticed 20-30 s after
#: it went silent (the library's ping noticed it after 20-40 s).
SILENT_AFTER = 2
Message = dict[str, Any]


@dataclass(frozen=True)
class RoomAddress:
    server: str
    room: str
    token: str

    @property
    def link(self) -> str:
        return f"{self.server}/p/{self.room}#{self.token}"

    @property
    def socket_url(self) -> str:
        base = "wss://" + self.server[8:] if self.server.startswith("https://") else None
        return (base or "ws://" + self.server.split("://", 1)[-1]) + f"/signal/{self.room}"


def _http_json(
    url: str, method: str = "GET", *, body: Message | None = None, token: str = ""
) -> Message:
    # Only http(s) URLs reach here: _check_server and resolve refuse any other scheme.
    headers = {"Accept": "application/json"}
    if token:
        headers["X-Room-Token"] = token
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http(s) only
            raw = response.read()
            answer: Message = json.loads(raw) if raw else {}
            return answer
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise NotFoundError(
                "The server knows no transfer with that code.",
                hint="Check the code, or ask the sender for the link.",
            ) from None
        raise TransportError(f"The server answered {error.code} to {url}.") from None
    except (urllib.error.URLError, OSError) as error:
        raise TransportError(
            f"Could not reach the server at {url}: {error}.",
            hint="Check --server and that the server is running.",
        ) from None


def _check_server(server: str) -> str:
    if urlsplit(server).scheme not in ("http", "https"):
        raise UsageError(f"--server must be an http:// or https:// address, not {server!r}.")
    return server.rstrip("/")


async def create_room(server: str) -> tuple[RoomAddress, str]:
    """Ask the server for a new room; return its address and the short code."""
    server = _check_server(server)
    body = await asyncio.to_thread(_http_json, f"{server}/signal/rooms", "POST")
    return RoomAddress(server, body["room"], body["token"]), str(body["code"])


async def device_room(server: str, request: Message) -> RoomAddress:
    """The room of two devices that never paired directly, for a request one of them signed
    (``syncoxide/devices/device_room.py``)."""
    server = _check_server(server)
    url = f"{server}/signal/device-rooms"
    try:
        body = await asyncio.to_thread(_http_json, url, "POST", body=request)
    except NotFoundError:
        raise TransportError(
            f"The server at {server} offers no device rooms (an older version?).",
            hint="Update the server, or pair the two devices by code to give them a room.",
        ) from None
    return RoomAddress(server, str(body["room"]), str(body["token"]))


async def tell_room(address: RoomAddress, summary: Message) -> None:
    """Put what we offer in the room, for the receive page to show before it loads Python
    (``syncoxide.protocol.offer_summary``). Only a convenience: a failure is not an error."""
    url = f"{address.server}/signal/rooms/{address.room}/summary"
    with contextlib.suppress(TransportError, NotFoundError):
        await asyncio.to_thread(_http_json, url, "PUT", body=summary, token=address.token)


async def resolve(link_or_code: str, server: str | None) -> RoomAddress:
    parts = urlsplit(link_or_code)
    if parts.scheme in ("http", "https"):
        room = parts.path.rstrip("/").rsplit("/", 1)[-1]
        if not parts.path.startswith("/p/") or not parts.fragment:
            raise UsageError(
                "That link has no room token after '#'.",
                hint="Copy the whole link the sender printed, including the part after '#'.",
            )
        return RoomAddress(f"{parts.scheme}://{parts.netloc}", room, parts.fragment)
    if server is None:
        raise UsageError("A short code needs --server (or SYNCOXIDE_SERVER) to look it up.")
    server = _check_server(server)
    body = await asyncio.to_thread(_http_json, f"{server}/signal/codes/{quote(link_or_code)}")
    return RoomAddress(server, body["room"], body["token"])


_CLOSE_ERRORS = {
    4401: AuthenticationError("The server refused the room token.", hint="Use the full link."),
    4409: PeerGoneError("Another receiver is already connected to this transfer."),
}


class SignalingClient:
    def __init__(
        self,
        socket: ClientConnection,
        welcome: Message,
        server: str = "",
        *,
        ping_every: float = PING_EVERY,
    ) -> None:
        self.socket = socket
        self.ping_every = ping_every
        self._heard = asyncio.get_running_loop().time()  # when the server last said anything
        self.server = server
        self.welcome = welcome
        # The sender's server copy (a share link path), from the welcome or announced later.
        self.fallback: str | None = welcome.get("fallback")
        # Set when the other side said through signaling that it cancelled the transfer.
        self.cancel_reason: str | None = None
        # Who else is in the room (peer id -> role), kept current from presence messages.
        self.peers: dict[str, str] = {p["peer"]: p["role"] for p in welcome.get("peers", [])}
        self.messages: asyncio.Queue[Message | None] = asyncio.Queue()
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._ping())]

    @classmethod
    async def join(
        cls,
        address: RoomAddress,
        role: str,
        *,
        api_token: str | None = None,
        ping_every: float = PING_EVERY,
    ) -> SignalingClient:
        """Join the room; a sender that will name its server copy signs in with ``api_token``
        (the server accepts only a copy its sender owns)."""
        headers = {"Authorization": f"Bearer {api_token}"} if api_token else None
        try:
            socket = await connect(
                address.socket_url,
                open_timeout=10,
                max_size=2**20,
                additional_headers=headers,
                ping_interval=None,  # our own ping is the keepalive (see above)
            )
            await socket.send(json.dumps({"type": "join", "token": address.token, "role": role}))
            welcome = json.loads(await socket.recv())
        except ConnectionClosed as closed:
            raise _CLOSE_ERRORS.get(closed.rcvd.code if closed.rcvd else 0) or TransportError(
                f"The signaling server closed the connection: {closed}."
            ) from None
        except (OSError, WebSocketException, TimeoutError) as error:
            raise TransportError(f"Could not join the transfer's room: {error}.") from None
        return cls(socket, welcome, address.server, ping_every=ping_every)

    @property
    def fallback_url(self) -> str | None:
        return f"{self.server}{self.fallback}" if self.fallback else None

    @property
    def peers_present(self) -> bool:
        return bool(self.welcome.get("peers"))

    @property
    def sender_present(self) -> bool:
        return "sender" in self.peers.values()

    async def send(self, message: Message) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self.socket.send(json.dumps(message))

    def raise_if_cancelled(self, peer: str) -> None:
        """Raise the other side's cancel, if signaling brought one."""
        if self.cancel_reason is not None:
            raise error_from_peer(Cancel(self.cancel_reason), peer)

    async def next(self, timeout: float | None = None) -> Message:
        message = await asyncio.wait_for(self.messages.get(), timeout)
        if message is None:
            self.messages.put_nowait(None)  # stay closed for every later reader
            raise TransportError("The connection to the signaling server was lost.")
        return message

    def push_back(self, message: Message) -> None:
        """Return a message for the next negotiation (it arrived while a transfer ran)."""
        rest = [self.messages.get_nowait() for _ in range(self.messages.qsize())]
        for item in [message, *rest]:
            self.messages.put_nowait(item)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.socket.close()

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.socket:
                self._heard = asyncio.get_running_loop().time()
                message = json.loads(raw)
                self._track_presence(message)
                if message.get("type") == "fallback":
                    self.fallback = message.get("url")
                elif message.get("type") == "cancel":
                    self.cancel_reason = str(message.get("reason"))
                    self.messages.put_nowait(message)  # wakes whoever watches the room
                elif message.get("type") != "pong":
                    self.messages.put_nowait(message)
        self.messages.put_nowait(None)

    def _track_presence(self, message: Message) -> None:
        if message.get("type") == "peer-joined":
            self.peers[str(message.get("peer"))] = str(message.get("role"))
        elif message.get("type") == "peer-left":
            self.peers.pop(str(message.get("peer")), None)

    async def _ping(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.ping_every)
            if loop.time() - self._heard > SILENT_AFTER * self.ping_every:
                self.socket.transport.abort()  # the reader ends: "connection lost"
                return
            await self.send({"type": "ping"})
