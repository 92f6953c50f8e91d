"""Follow the server's live events socket and call back, once per burst, on chosen kinds.

A view passes the event-kind prefixes it cares about (``backup.``) and what to do when one
arrives. A burst (a catch-up backlog after a reconnect, a run's start and finish) makes one
call; a dropped socket reconnects from the last event seen, so nothing is missed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import js

from syncoxide_web.api.client import live_socket_url
from syncoxide_web.platform.dom import Listeners

RECONNECT_SECONDS = 3.0
BURST_SECONDS = 0.3


class LiveEvents:
    def __init__(
        self,
        listeners: Listeners,
        prefixes: tuple[str, ...],
        on_change: Callable[[], Coroutine[Any, Any, object]],
    ) -> None:
        self._listeners = listeners
        self._prefixes = prefixes
        self._on_change = on_change
        self._last_event = 0  # a reconnected socket goes on from there
        self._pending = False

    def open(self) -> None:
        socket = js.WebSocket.new(live_socket_url(self._last_event))
        self._listeners.on(socket, "message", self._on_message)
        self._listeners.on(socket, "close", lambda _event: self._listeners.start(self._reopen()))

    def _on_message(self, message: Any) -> None:
        data = json.loads(str(message.data))
        if data.get("type") != "event":
            return
        self._last_event = int(data["id"])
        if str(data.get("kind", "")).startswith(self._prefixes) and not self._pending:
            self._pending = True
            self._listeners.start(self._call_soon())

    async def _call_soon(self) -> None:
        await asyncio.sleep(BURST_SECONDS)
        self._pending = False
        await self._on_change()

    async def _reopen(self) -> None:
        await asyncio.sleep(RECONNECT_SECONDS)
        self.open()
