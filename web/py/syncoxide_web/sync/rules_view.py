"""Rules on the server, in the Sync view: define them, watch their status, run them now.

The rules run on the server with no browser open; this page only edits them and shows what
they did. It follows the live event socket: every ``rule.*`` event refreshes the list, and a
dropped socket reconnects from the last event it saw.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_proxy  # type: ignore[import-not-found]

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api, live_socket_url, start_task
from syncoxide_web.files import view as files_view
from syncoxide_web.sync.rules_html import connection_choices, rules_html

RECONNECT_SECONDS = 3.0
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


_listeners: list[Any] = []
_names: dict[int, str] = {}
_live = {"last": 0, "pending": False}


def _element(name: str) -> Any:
    return js.document.getElementById(name)


def _say(text: str, *, error: bool = False) -> None:
    status = _element("rule-status")
    status.textContent = text
    status.className = "error" if error else ""


def wire_rules_view() -> None:
    for element, kind, handler in (
        (_element("rule-form"), "submit", _create),
        (_element("rules-list"), "click", _rule_action),
    ):
        proxy = create_proxy(lambda event, kind=kind, handler=handler: _start(event, kind, handler))
        _listeners.append(proxy)
        element.addEventListener(kind, proxy)
    files_view.on_connections.append(_show_connections)
    start_task(refresh_rules())
    _open_live_socket()


def _start(event: Any, kind: str, handler: Any) -> None:
    if kind == "submit":
        event.preventDefault()
    start_task(handler(event))


def _show_connections(connections: list[dict[str, Any]]) -> None:
    _names.clear()
    _names.update({int(c["id"]): str(c["name"]) for c in connections})
    choices = connection_choices(connections)
    for name in ("rule-source", "rule-dest"):
        _element(name).innerHTML = choices
    start_task(refresh_rules())


async def refresh_rules() -> None:
    try:
        rules = (await call_api("GET", "/rules"))["rules"]
    except SyncoxideError as error:
        _say(error.message, error=True)
        return
    _element("rules-list").innerHTML = rules_html(rules, _names)


async def _create(_event: Any) -> None:
    try:
        seconds = (
            int(float(_element("rule-every").value or 0))
            * UNIT_SECONDS[str(_element("rule-unit").value)]
        )
        body = {
            "name": str(_element("rule-name").value).strip(),
            "source_id": int(_element("rule-source").value or 0),
            "source_path": str(_element("rule-source-path").value),
            "dest_id": int(_element("rule-dest").value or 0),
            "dest_path": str(_element("rule-dest-path").value),
            "mode": str(_element("rule-mode").value),
            "interval_seconds": seconds,
            "on_change": bool(_element("rule-on-change").checked),
        }
        if not body["source_id"] or not body["dest_id"]:
            raise SyncoxideError("Connect a provider in Files first, then pick it here.")
        made = await call_api("POST", "/rules", body)
        _say(f"Created “{made['name']}”: the server runs it now, then on its schedule.")
        await refresh_rules()
    except SyncoxideError as error:
        _say(f"{error.message} {error.hint or ''}".strip(), error=True)


async def _rule_action(event: Any) -> None:
    action = str(event.target.dataset.action or "")
    item = event.target.closest("li.rule")
    if not action or item is None:
        return
    rule_id = int(item.dataset.ruleId)
    try:
        if action == "run":
            await call_api("POST", f"/rules/{rule_id}/run")
        elif action == "proceed":
            words = (
                "Go on past the safety stop once? Every replaced or deleted file goes to the trash."
            )
            if not js.window.confirm(words):
                return
            await call_api("POST", f"/rules/{rule_id}/proceed")
        elif action == "toggle":
            current = await call_api("GET", f"/rules/{rule_id}")
            await call_api("PATCH", f"/rules/{rule_id}", {"enabled": not current["enabled"]})
        elif action == "delete":
            if not js.window.confirm("Delete this rule? Files already copied stay where they are."):
                return
            await call_api("DELETE", f"/rules/{rule_id}")
        await refresh_rules()
    except SyncoxideError as error:
        _say(error.message, error=True)


def _open_live_socket() -> None:
    socket = js.WebSocket.new(live_socket_url(int(_live["last"])))

    def on_message(message: Any) -> None:
        data = json.loads(str(message.data))
        if data.get("type") == "event":
            _live["last"] = int(data["id"])
            if str(data.get("kind", "")).startswith("rule.") and not _live["pending"]:
                _live["pending"] = True
                start_task(_refresh_soon())

    def on_close(_event: Any) -> None:
        start_task(_reconnect_later())

    for kind, handler in (("message", on_message), ("close", on_close)):
        proxy = create_proxy(handler)
        _listeners.append(proxy)
        socket.addEventListener(kind, proxy)


async def _refresh_soon() -> None:
    await asyncio.sleep(0.3)  # a burst of events (a catch-up backlog) makes one refresh
    _live["pending"] = False
    await refresh_rules()


async def _reconnect_later() -> None:
    await asyncio.sleep(RECONNECT_SECONDS)
    _open_live_socket()
