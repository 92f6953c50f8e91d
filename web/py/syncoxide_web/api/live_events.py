"""Follow the server's live events socket: the one way a view hears of changes made elsewhere.

A view passes the event-kind prefixes it cares about (``rule.``, ``share.downloaded``) and what
to do when one arrives: ``on_change`` is called once per burst (a catch-up backlog after a
reconnect, a run's start and finish make one refresh), ``on_event`` once per event with its
payload. A view that only wants what happens from now on (``history=False``) skips what the
server replays before it says it has caught up. A dropped socket reconnects from the last event
seen, so nothing is missed; a socket closed because the user is signed out (4401) or refused
(4403) is not reopened, since reconnecting would not help.
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
#: Close codes after which reconnecting would not help: signed out, refused.
FINAL_CLOSE_CODES = (4401, 4403)


class LiveEvents:
    def __init__(
        self,
        listeners: Listeners,
        prefixes: tuple[str, ...],
        *,
        on_change: Callable[[], Coroutine[Any, Any, object]] | None = None,
        on_event: Callable[[dict[str, Any]], object] | None = None,
        history: bool = True,
    ) -> None:
        self._listeners = listeners
        self._prefixes = prefixes
        self._on_change = on_change
        self._on_event = on_event
        self._last_event = 0  # a reconnected socket goes on from there
        self._live = history  # False: events are skipped until the server has caught up
        self._pending = False

    def open(self) -> None:
        socket = js.WebSocket.new(live_socket_url(self._last_event))
        self._listeners.on(socket, "message", self._on_message)
        self._listeners.on(socket, "close", self._on_close)

    def _on_message(self, message: Any) -> None:
        data = json.loads(str(message.data))
        if data.get("type") == "caught_up":
            self._live = True
            self._last_event = max(self._last_event, int(data.get("last_id") or 0))
            return
        if data.get("type") != "event":
            return
        self._last_event = max(self._last_event, int(data["id"]))
        if not self._live or not str(data.get("kind", "")).startswith(self._prefixes):
            return
        if self._on_event is not None:
            self._on_event(data.get("payload") or {})
        if self._on_change is not None and not self._pending:
            self._pending = True
            self._listeners.start(self._call_soon())

    def _on_close(self, event: Any) -> None:
        if int(getattr(event, "code", 0)) in FINAL_CLOSE_CODES:
            return
        if self._last_event:  # a reconnect goes on from the last event seen: all of it is new
            self._live = True
        self._listeners.after(RECONNECT_SECONDS, self.open)

    async def _call_soon(self) -> None:
        await asyncio.sleep(BURST_SECONDS)
        self._pending = False
        if self._on_change is not None:
            await self._on_change()
