"""The server's REST API from the page: same-origin ``fetch`` with the session's CSRF token.

The token comes from the sign-out form the server renders into the page's user bar, so no
extra request is needed to learn it. An answer of 400 or more raises ``SyncoxideError`` with
the server's own message, which is written for people.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from syncoxide.errors import SyncoxideError

PREFIX = "/api/v1"


def csrf_token() -> str:
    field = js.document.querySelector('.user-bar input[name="csrf"]')
    return str(field.value) if field is not None else ""


async def call_api(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {"Accept": "application/json"}
    if method != "GET":
        headers["X-CSRF-Token"] = csrf_token()
    init: dict[str, Any] = {"method": method, "credentials": "same-origin"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        init["body"] = json.dumps(body)
    init["headers"] = headers
    try:
        response = await js.fetch(PREFIX + path, to_js(init, dict_converter=js.Object.fromEntries))
        text = str(await response.text())
    except Exception as error:  # the browser's network error: the server is out of reach
        raise SyncoxideError(
            "The server could not be reached.", hint="Check the connection and try again."
        ) from error
    answer = json.loads(text) if text else {}
    if int(response.status) >= 400:
        raise SyncoxideError(str(answer.get("message", f"The server answered {response.status}.")))
    return answer


def live_socket_url(after: int) -> str:
    scheme = "wss" if str(js.location.protocol) == "https:" else "ws"
    return f"{scheme}://{js.location.host}{PREFIX}/events/live?after={after}"


_tasks: set[asyncio.Future[Any]] = set()


def start_task(work: Coroutine[Any, Any, Any]) -> None:
    """Run ``work`` in the background, holding it until done (the loop keeps weak refs only)."""
    task = asyncio.ensure_future(work)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
