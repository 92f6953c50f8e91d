"""Helpers the app's views share around the server's REST API: the JSON call itself (one
implementation, in ``server_api``), the live events socket's address, background tasks, and
the status lines that report how a call went.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import js

from syncoxide_web.api.server_api import API as PREFIX
from syncoxide_web.api.server_api import call as call_api

__all__ = ["call_api", "live_socket_url", "show_status", "start_task"]


def live_socket_url(after: int) -> str:
    scheme = "wss" if str(js.location.protocol) == "https:" else "ws"
    return f"{scheme}://{js.location.host}{PREFIX}/events/live?after={after}"


_tasks: set[asyncio.Future[Any]] = set()


def start_task(work: Coroutine[Any, Any, Any]) -> None:
    """Run ``work`` in the background, holding it until done (the loop keeps weak refs only)."""
    task = asyncio.ensure_future(work)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def show_status(where: str, text: str, *, error: bool = False) -> None:
    """Put ``text`` in the status line with id ``where``, styled as an error if it is one."""
    status = js.document.getElementById(where)
    status.textContent = text
    status.className = "error" if error else ""
