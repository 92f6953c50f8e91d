"""Rules on the server, in the Sync view: define them, watch their status, run them now.

The rules run on the server with no browser open; this page only edits them and shows what
they did. It follows the live event socket: every ``rule.*`` event refreshes the list, and a
dropped socket reconnects from the last event it saw.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api, live_socket_url
from syncoxide_web.platform.dom import Listeners, element, say, say_error
from syncoxide_web.platform.feed import Feed
from syncoxide_web.sync.rules_html import connection_choices, rules_html

RECONNECT_SECONDS = 3.0
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

RULES_PART = """
  <h2 id="server-rules">Rules on the server</h2>
  <p>These run on the server on their schedule, with this page closed. Connect providers in
     <a href="#/files">Files</a> first.</p>
  <form id="rule-form" class="card" autocomplete="off">
    <label>Name <input id="rule-name" placeholder="photos to backup"></label>
    <fieldset><legend>From</legend>
      <select id="rule-source"></select> <label>folder <input id="rule-source-path"></label>
    </fieldset>
    <fieldset><legend>To</legend>
      <select id="rule-dest"></select> <label>folder <input id="rule-dest-path"></label>
    </fieldset>
    <label>Mode <select id="rule-mode">
      <option value="copy">copy: never deletes</option>
      <option value="sync">sync: make the destination identical</option>
      <option value="bisync">two-way sync</option></select></label>
    <label>Every <input id="rule-every" type="number" min="1" value="1">
      <select id="rule-unit"><option value="seconds">seconds</option>
        <option value="minutes">minutes</option><option value="hours" selected>hours</option>
        <option value="days">days</option></select></label>
    <label><input type="checkbox" id="rule-on-change"> and as soon as the source changes
      (Google Drive, Dropbox)</label>
    <button type="submit" id="rule-create">Create rule</button>
    <p id="rule-status" role="status" aria-live="polite"></p>
  </form>
  <div id="rules-list"><p class="muted">Loading…</p></div>
"""

STATUS = "rule-status"
_listeners = Listeners()
_names: dict[int, str] = {}
_live = {"last": 0, "pending": False}


def with_server_rules(sync_section: str) -> str:
    """The Sync view with the rules part added at its end."""
    head, _, _ = sync_section.rpartition("</section>")
    return head + RULES_PART + "</section>"


def wire_rules_view(connections: Feed[list[dict[str, Any]]]) -> None:
    _listeners.on_task("rule-form", "submit", _create)
    _listeners.on_task("rules-list", "click", _rule_action)
    connections.follow(_show_connections)
    _listeners.start(refresh_rules())
    _open_live_socket()


def _show_connections(connections: list[dict[str, Any]]) -> None:
    _names.clear()
    _names.update({int(c["id"]): str(c["name"]) for c in connections})
    choices = connection_choices(connections)
    for name in ("rule-source", "rule-dest"):
        element(name).innerHTML = choices
    _listeners.start(refresh_rules())


async def refresh_rules() -> None:
    try:
        rules = (await call_api("GET", "/rules"))["rules"]
    except SyncoxideError as error:
        say(STATUS, error.message, error=True)
        return
    element("rules-list").innerHTML = rules_html(rules, _names)


async def _create(_event: Any) -> None:
    try:
        seconds = (
            int(float(element("rule-every").value or 0))
            * UNIT_SECONDS[str(element("rule-unit").value)]
        )
        body = {
            "name": str(element("rule-name").value).strip(),
            "source_id": int(element("rule-source").value or 0),
            "source_path": str(element("rule-source-path").value),
            "dest_id": int(element("rule-dest").value or 0),
            "dest_path": str(element("rule-dest-path").value),
            "mode": str(element("rule-mode").value),
            "interval_seconds": seconds,
            "on_change": bool(element("rule-on-change").checked),
        }
        if not body["source_id"] or not body["dest_id"]:
            raise SyncoxideError("Connect a provider in Files first, then pick it here.")
        made = await call_api("POST", "/rules", body)
        say(STATUS, f"Created “{made['name']}”: the server runs it now, then on its schedule.")
        await refresh_rules()
    except SyncoxideError as error:
        say_error(STATUS, error)


async def _rule_action(event: Any) -> None:
    action = str(event.target.dataset.action or "")
    item = event.target.closest("li.rule")
    if not action or item is None:
        return
    rule_id = int(item.dataset.ruleId)
    try:
        if action == "run":
            await call_api("POST", f"/rules/{rule_id}/run")
        elif action == "toggle":
            current = await call_api("GET", f"/rules/{rule_id}")
            await call_api("PATCH", f"/rules/{rule_id}", {"enabled": not current["enabled"]})
        elif action == "delete":
            if not js.window.confirm("Delete this rule? Files already copied stay where they are."):
                return
            await call_api("DELETE", f"/rules/{rule_id}")
        await refresh_rules()
    except SyncoxideError as error:
        say(STATUS, error.message, error=True)


def _open_live_socket() -> None:
    socket = js.WebSocket.new(live_socket_url(int(_live["last"])))

    def on_message(message: Any) -> None:
        data = json.loads(str(message.data))
        if data.get("type") == "event":
            _live["last"] = int(data["id"])
            if str(data.get("kind", "")).startswith("rule.") and not _live["pending"]:
                _live["pending"] = True
                _listeners.start(_refresh_soon())

    def on_close(_event: Any) -> None:
        _listeners.start(_reconnect_later())

    _listeners.on(socket, "message", on_message)
    _listeners.on(socket, "close", on_close)


async def _refresh_soon() -> None:
    await asyncio.sleep(0.3)  # a burst of events (a catch-up backlog) makes one refresh
    _live["pending"] = False
    await refresh_rules()


async def _reconnect_later() -> None:
    await asyncio.sleep(RECONNECT_SECONDS)
    _open_live_socket()
