"""``/api/v1/events/live``: one WebSocket per signed-in client, pushing that user's events.

Authenticated like the API (Bearer header, or the session cookie from a page of this same
origin: a WebSocket is not covered by CORS, so the Origin header is checked instead of CSRF).
Messages are JSON: ``{"type": "event", ...}`` for each event, in id order, first the ones
after the client's ``?after=`` id, then ``{"type": "caught_up", "last_id": N}``, then live
events. Close code 4000 asks the client to reconnect with its last id (it fell behind);
4401 means its credential was refused, or was revoked or signed out while connected.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator

from starlette.websockets import WebSocket, WebSocketDisconnect

from syncoxide.server.accounts.auth import who_on_socket
from syncoxide.server.events.service import (
    SIGNED_OUT,
    CaughtUp,
    Watched,
    WatchEnded,
    event_json,
)
from syncoxide.server.inputs import is_decimal
from syncoxide.server.services import services_of

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RESYNC = 4000


async def live_events(websocket: WebSocket) -> None:
    signed_in = await who_on_socket(websocket)
    after_raw = websocket.query_params.get("after", "0")
    if signed_in is None or not is_decimal(after_raw) or int(after_raw) < 0:
        # Closing before accepting makes the server answer the handshake with 403.
        await websocket.close(code=CLOSE_UNAUTHORIZED)
        return
    await websocket.accept()

    async def still_signed_in() -> bool:
        return await who_on_socket(websocket) is not None

    watched = services_of(websocket).notifier.watch(
        signed_in.user.id, int(after_raw), still_signed_in
    )
    await _run_until_closed(websocket, watched)


async def _run_until_closed(websocket: WebSocket, watched: AsyncGenerator[Watched, None]) -> None:
    async def push() -> None:
        async with contextlib.aclosing(watched) as stream:
            async for item in stream:
                if isinstance(item, CaughtUp):
                    await websocket.send_json({"type": "caught_up", "last_id": item.last_id})
                elif isinstance(item, WatchEnded):
                    # Signed out: the socket's token was revoked, or its session ended.
                    code = CLOSE_UNAUTHORIZED if item.reason == SIGNED_OUT else CLOSE_RESYNC
                    await websocket.close(code=code)
                else:
                    await websocket.send_json({"type": "event", **event_json(item)})

    async def drain() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass

    tasks = {asyncio.create_task(push()), asyncio.create_task(drain())}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await asyncio.gather(*tasks)
