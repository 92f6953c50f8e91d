"""The signaling endpoints: create a room, resolve a short code, and the room WebSocket.

    POST /signal/rooms         -> {"room", "token", "code", "expires_in"}  (rate-limited per IP)
    GET  /signal/codes/{code}  -> {"room", "token"}                        (rate-limited per IP)
    POST /signal/device-rooms  -> {"room", "token"}   two devices' own room (device_rooms.py)
    GET  /signal/rooms/{room}  -> {"sender", "fallback", "summary"}   token in X-Room-Token
    PUT  /signal/rooms/{room}/summary  what the sender offers (summaries.py)   token likewise
    WS   /signal/{room}         first message ``join`` with the token, then relay (see messages.py)

Each socket gets its own outbox (a deque drained by one writer task), so a peer that reads
slowly only delays itself; the outbox is capped (``OUTBOX_MAX_MESSAGES``/``_BYTES``) and a peer
that lets it fill is closed with ``CLOSE_SLOW_READER``, so no peer makes the server hold more
than about a mebibyte for it. Every way a socket can misbehave ends in ``_Close`` with a code from
messages.py, raised before the hub is touched, so no other room ever notices.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from syncoxide.errors import (
    InvalidInputError,
    PermissionDeniedError,
    ProviderUnavailableError,
    RemoteProtocolError,
)
from syncoxide.ports import Clock, RandomSource
from syncoxide.server.accounts.auth import who_on_socket
from syncoxide.server.config import ServerConfig
from syncoxide.server.signaling import messages as m
from syncoxide.server.signaling.codes import DatabaseShortCodes, MemoryShortCodes, ShortCodes
from syncoxide.server.signaling.device_rooms import DeviceRooms
from syncoxide.server.signaling.fallbacks import (
    DatabaseFallbackRecords,
    FallbackRecords,
    MemoryFallbackRecords,
)
from syncoxide.server.signaling.hub import Hub, InProcessHub
from syncoxide.server.signaling.ice import IceSettings
from syncoxide.server.signaling.limits import AddressLimits, TokenBucket
from syncoxide.server.signaling.page import ReceivePage
from syncoxide.server.signaling.summaries import RoomSummaries, parse_summary
from syncoxide.server.signaling.tokens import RoomTokens, is_room_id, normalise_code, short_code
from syncoxide.server.storage.database import Database
from syncoxide.system import SystemClock, SystemRandom


@dataclass(frozen=True)
class SignalingSettings:
    idle_timeout: float = 30.0  # clients ping every 10 s; silence this long means gone
    message_rate: float = 20.0
    message_burst: float = 200.0
    rooms_per_minute: float = 30.0
    code_ttl: float = 24 * 3600.0
    #: STUN/TURN for the rooms' peers; TURN credentials are made per peer at its welcome.
    ice: IceSettings = field(default_factory=IceSettings)


#: The signed-in user a WebSocket belongs to (their id), or None.
Identify = Callable[[WebSocket], Awaitable[int | None]]

CLOSE_SECONDS = 5.0  # how long a close may wait on a peer whose socket is full
CODE_ATTEMPTS = 16  # fresh codes tried before giving up (only a broken random source gets there)


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason[:120]


@dataclass(eq=False)
class _PeerSocket:
    """A ``PeerLink`` over one WebSocket: queued delivery, drained by ``write_forever``."""

    websocket: WebSocket
    peer_id: str
    role: str = "receiver"
    outbox: deque[str] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)
    queued_bytes: int = 0

    def deliver(self, message: m.Message) -> None:
        self._queue(m.encode(message), first=False)

    def deliver_first(self, message: m.Message) -> None:
        self._queue(m.encode(message), first=True)

    def _queue(self, text: str, *, first: bool) -> None:
        if self.overflowed.is_set():
            return
        size = len(text)  # encode() escapes to ASCII: characters are bytes
        if (
            len(self.outbox) >= m.OUTBOX_MAX_MESSAGES
            or self.queued_bytes + size > m.OUTBOX_MAX_BYTES
        ):
            self.outbox.clear()  # the peer is being closed: free what it never read
            self.queued_bytes = 0
            self.overflowed.set()
            return
        self.outbox.appendleft(text) if first else self.outbox.append(text)
        self.queued_bytes += size
        self.ready.set()

    async def write_forever(self) -> None:
        with contextlib.suppress(Exception):  # a dead socket ends only its own writer
            while True:
                await self.ready.wait()
                self.ready.clear()
                while self.outbox:
                    text = self.outbox.popleft()
                    self.queued_bytes -= len(text)
                    await self.websocket.send_text(text)


@dataclass(frozen=True)
class RoomRecords:
    """Where a room's short code and server-copy fallback are kept (memory when None: one
    process; the database when the server runs, so they outlive a restart)."""

    codes: ShortCodes | None = None
    fallbacks: FallbackRecords | None = None


class SignalingService:
    def __init__(
        self,
        tokens: RoomTokens,
        hub: Hub | None = None,
        *,
        clock: Clock | None = None,
        random: RandomSource | None = None,
        settings: SignalingSettings | None = None,
        records: RoomRecords | None = None,
        identify: Identify | None = None,
    ) -> None:
        self.tokens = tokens
        # Rooms need no account; only naming a server copy does (it must be the sender's own).
        self.identify: Identify = identify or _nobody
        self.hub: Hub = hub or InProcessHub()
        self.clock: Clock = clock or SystemClock()
        self.random: RandomSource = random or SystemRandom()
        self.settings = settings or SignalingSettings()
        per_minute = self.settings.rooms_per_minute
        self._room_limits = AddressLimits(self.clock, rate=per_minute / 60, burst=per_minute)
        self._code_limits = AddressLimits(self.clock, rate=per_minute / 60, burst=per_minute)
        self.device_rooms = DeviceRooms(tokens, self.clock, self._room_limits)
        records = records or RoomRecords()
        self.codes: ShortCodes = records.codes or MemoryShortCodes(self.clock)
        # room -> the server copy (share link path) a receiver falls back to.
        self.fallbacks: FallbackRecords = records.fallbacks or MemoryFallbackRecords(
            self.clock, self.settings.code_ttl
        )
        # room -> what the sender offers, for the receive page before Python (summaries.py).
        self.summaries = RoomSummaries(self.clock, self.settings.code_ttl)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/signal/rooms", self.create_room, methods=["POST"]),
            Route("/signal/codes/{code}", self.resolve_code, methods=["GET"]),
            Route("/signal/device-rooms", self.device_rooms.handle, methods=["POST"]),
            Route("/signal/rooms/{room}", self.describe_room, methods=["GET"]),
            Route("/signal/rooms/{room}/summary", self.put_summary, methods=["PUT"]),
            WebSocketRoute("/signal/{room}", self.connect),
        ]

    async def create_room(self, request: Request) -> Response:
        if not self._room_limits.allow(_address(request)):
            return _too_many()
        room, token = self.tokens.new_room(self.random.token_bytes(16))
        code = await self._new_code(room)
        body = {"room": room, "token": token, "code": code, "expires_in": self.settings.code_ttl}
        return JSONResponse(body, status_code=201, headers={"Cache-Control": "no-store"})

    async def resolve_code(self, request: Request) -> Response:
        if not self._code_limits.allow(_address(request)):
            return _too_many()
        room = await self.codes.lookup(normalise_code(request.path_params["code"]))
        if room is None:
            message = "No transfer has this code (it may have expired). Ask for a new link."
            return JSONResponse({"error": "not_found", "message": message}, status_code=404)
        body = {"room": room, "token": self.tokens.token_for(room)}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def describe_room(self, request: Request) -> Response:
        """Is a sender in the room, and has it named a server copy? Looks without joining, so
        a receive page can decide to use the copy without disturbing a sender that is there."""
        if not self._code_limits.allow(_address(request)):
            return _too_many()
        room = request.path_params["room"]
        if not self._holds_token(room, request):
            return _bad_token()
        body = {
            "sender": "sender" in await self.hub.roles(room),
            "fallback": await self.fallbacks.lookup(room),
            "summary": self.summaries.get(room),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def put_summary(self, request: Request) -> Response:
        """The sender says what it offers, so the receive page can show it at once."""
        if not self._code_limits.allow(_address(request)):
            return _too_many()
        room = request.path_params["room"]
        if not self._holds_token(room, request):
            return _bad_token()
        body = await request.body()
        try:
            summary = parse_summary(body)
        except InvalidInputError as error:
            return JSONResponse({"error": error.code, "message": error.message}, status_code=400)
        self.summaries.put(room, summary)
        return Response(status_code=204)

    def _holds_token(self, room: str, request: Request) -> bool:
        token = request.headers.get("x-room-token", "")
        return is_room_id(room) and self.tokens.verify(room, token)

    async def _new_code(self, room: str) -> str:
        """A fresh code for ``room``; 40 random bits almost never collide, but never reuse one."""
        for _ in range(CODE_ATTEMPTS):
            code = short_code(self.random.token_bytes(5))
            if await self.codes.add(code, room, self.settings.code_ttl):
                return code
        raise ProviderUnavailableError("No free short code was found: try again in a moment.")

    async def _remember_fallback(self, room: str, peer: _PeerSocket, message: m.Message) -> None:
        if peer.role != "sender":
            raise _Close(m.CLOSE_MALFORMED, "only the sender can name a fallback")
        owner = await self.identify(peer.websocket)
        if owner is None:
            raise _Close(m.CLOSE_NOT_YOURS, "sign in to name a server copy")
        if not await self.fallbacks.remember(room, message["url"], owner):
            raise _Close(m.CLOSE_NOT_YOURS, "the fallback names no usable share of yours here")

    async def connect(self, websocket: WebSocket) -> None:
        room = websocket.path_params["room"]
        await websocket.accept()
        peer = _PeerSocket(websocket, self.random.token_bytes(6).hex())
        writer: asyncio.Task[None] | None = None
        joined = False
        try:
            self._admit(room, await self._receive(websocket), peer)
            present = await self._join(room, peer)
            joined = True
            peer.deliver_first(
                {
                    "type": "welcome",
                    "peer": peer.peer_id,
                    "peers": present,
                    "fallback": await self.fallbacks.lookup(room),
                    "iceServers": self.settings.ice.as_json(
                        f"peer-{peer.peer_id}", self.clock.now()
                    ),
                }
            )
            writer = asyncio.create_task(peer.write_forever())
            await _until_overflow(peer, self._relay_until_closed(websocket, room, peer))
        except _Close as close:
            with contextlib.suppress(Exception):  # a peer that reads nothing may not take it
                await asyncio.wait_for(websocket.close(close.code, close.reason), CLOSE_SECONDS)
        except WebSocketDisconnect:
            pass
        finally:
            if joined:
                await self.hub.leave(room, peer.peer_id)
            if writer is not None:
                writer.cancel()

    def _admit(self, room: str, join: m.Message, peer: _PeerSocket) -> None:
        if join["type"] != "join":
            raise _Close(m.CLOSE_MALFORMED, "the first message must be 'join'")
        if not is_room_id(room) or not self.tokens.verify(room, join["token"]):
            raise _Close(m.CLOSE_BAD_TOKEN, "room token rejected: open the full link again")
        peer.role = join["role"]

    async def _join(self, room: str, peer: _PeerSocket) -> list[m.Message]:
        try:
            return await self.hub.join(room, peer)
        except PermissionDeniedError as error:
            raise _Close(m.CLOSE_ROOM_FULL, error.message) from None

    async def _relay_until_closed(self, websocket: WebSocket, room: str, peer: _PeerSocket) -> None:
        bucket = TokenBucket(
            self.clock, rate=self.settings.message_rate, burst=self.settings.message_burst
        )
        while True:
            message = await self._receive(websocket)
            if not bucket.take():
                raise _Close(m.CLOSE_RATE_LIMITED, "too many messages: slow down")
            if message["type"] == "ping":
                peer.deliver({"type": "pong"})
            elif message["type"] in m.RELAYED:
                if message["type"] == "fallback":
                    await self._remember_fallback(room, peer, message)
                await self.hub.relay(room, peer.peer_id, message)
            else:
                raise _Close(m.CLOSE_MALFORMED, f"{message['type']!r} is not allowed here")

    async def _receive(self, websocket: WebSocket) -> m.Message:
        try:
            frame = await asyncio.wait_for(websocket.receive(), self.settings.idle_timeout)
        except TimeoutError:
            raise _Close(m.CLOSE_IDLE, "no message for too long: ping every 10 s") from None
        if frame["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(frame.get("code", 1000))
        text = frame.get("text")
        if text is None:
            raise _Close(m.CLOSE_MALFORMED, "binary frames are not accepted: send JSON text")
        if len(text) > m.MAX_MESSAGE_BYTES or len(text.encode()) > m.MAX_MESSAGE_BYTES:
            raise _Close(m.CLOSE_TOO_BIG, f"message over {m.MAX_MESSAGE_BYTES} bytes")
        try:
            return m.parse_client_message(text)
        except RemoteProtocolError as error:
            raise _Close(m.CLOSE_MALFORMED, error.message) from None


async def _until_overflow(peer: _PeerSocket, relaying: Coroutine[Any, Any, None]) -> None:
    """Relay until the socket ends, or close it once its outbox overflowed."""
    relay = asyncio.ensure_future(relaying)
    overflow = asyncio.ensure_future(peer.overflowed.wait())
    try:
        await asyncio.wait({relay, overflow}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        overflow.cancel()
        if not relay.done():
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
    if peer.overflowed.is_set():
        raise _Close(m.CLOSE_SLOW_READER, "messages were not read: reconnect and read them")
    relay.result()  # re-raise how relaying ended (_Close, WebSocketDisconnect)


async def _nobody(websocket: WebSocket) -> int | None:
    return None


async def _signed_in_user(websocket: WebSocket) -> int | None:
    signed_in = await who_on_socket(websocket)
    return signed_in.user.id if signed_in else None


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bad_token() -> Response:
    message = "Room token rejected: open the full link again."
    return JSONResponse({"error": "bad_token", "message": message}, status_code=401)


def _too_many() -> Response:
    body = {"error": "rate_limited", "message": "Too many requests: wait a minute and try again."}
    return JSONResponse(body, status_code=429, headers={"Retry-After": "60"})


def signaling_routes(
    config: ServerConfig, hub: Hub, ice: IceSettings, database: Database
) -> list[BaseRoute]:
    """Signaling plus the receive page, for ``create_app``; rooms meet in ``hub``, codes and
    server copies are kept in ``database``."""
    page = ReceivePage(config.vendor_dir)
    fallbacks = DatabaseFallbackRecords(database, SystemClock())
    codes = DatabaseShortCodes(database, SystemClock())
    tokens = RoomTokens.from_data_dir(config.data_dir)
    records = RoomRecords(codes=codes, fallbacks=fallbacks)
    settings = SignalingSettings(ice=ice)
    service = SignalingService(
        tokens, hub, settings=settings, records=records, identify=_signed_in_user
    )
    return [*service.routes(), Route("/p/{room}", page.render, methods=["GET", "HEAD"])]


__all__ = ["RoomRecords", "SignalingService", "SignalingSettings", "signaling_routes"]
