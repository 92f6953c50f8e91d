"""Rules on the server, in the Sync view: define them, watch their status, run them now.

The rules run on the server with no browser open; this page only edits them and shows what
they did. It follows the live event socket: every ``rule.*`` event refreshes the list, and a
dropped socket reconnects from the last event it saw.
"""

from __future__ import annotations

from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.api.live_events import LiveEvents
from syncoxide_web.platform.dom import Listeners, data_of, element, present, say, say_error
from syncoxide_web.platform.feed import Feed
from syncoxide_web.sync.rules_html import connection_choices, rules_html

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


STATUS = "rule-status"


# Asked before a held rule goes past its safety stop once.
PROCEED_WORDS = "Go on past the safety stop once? Every replaced or deleted file goes to the trash."


class RulesView:
    """The rules part: connection names for the list, and where the live event socket is."""

    def __init__(self, connections: Feed[list[dict[str, Any]]]) -> None:
        self._listeners = Listeners()
        self._connections = connections
        self._names: dict[int, str] = {}  # connection id: its name, to show in the list
        self._live = LiveEvents(self._listeners, ("rule.",), on_change=self.refresh_rules)

    def start(self) -> RulesView:
        self._listeners.on_task("rule-form", "submit", self._create)
        self._listeners.on_task("rules-list", "click", self._rule_action)
        self._connections.follow(self._show_connections)
        self._listeners.start(self.refresh_rules())
        self._live.open()
        return self

    def _show_connections(self, connections: list[dict[str, Any]]) -> None:
        self._names = {int(c["id"]): str(c["name"]) for c in connections}
        choices = connection_choices(connections)
        for name in ("rule-source", "rule-dest"):
            element(name).innerHTML = choices
        self._listeners.start(self.refresh_rules())

    async def refresh_rules(self) -> None:
        try:
            rules = (await call_api("GET", "/rules"))["rules"]
        except SyncoxideError as error:
            say(STATUS, error.message, error=True)
            return
        element("rules-list").innerHTML = rules_html(rules, self._names)

    async def _rule_action(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        item = event.target.closest("li.rule")
        if not action or not present(item):
            return
        rule_id = int(item.dataset.ruleId)
        try:
            if action == "run":
                await call_api("POST", f"/rules/{rule_id}/run")
            elif action == "proceed":
                if not js.window.confirm(PROCEED_WORDS):
                    return
                await call_api("POST", f"/rules/{rule_id}/proceed")
            elif action == "toggle":
                current = await call_api("GET", f"/rules/{rule_id}")
                await call_api("PATCH", f"/rules/{rule_id}", {"enabled": not current["enabled"]})
            elif action == "delete":
                if not js.window.confirm(
                    "Delete this rule? Files already copied stay where they are."
                ):
                    return
                await call_api("DELETE", f"/rules/{rule_id}")
            await self.refresh_rules()
        except SyncoxideError as error:
            say(STATUS, error.message, error=True)

    async def _create(self, _event: Any) -> None:
        try:
            made = await call_api("POST", "/rules", _rule_body())
            say(STATUS, f"Created “{made['name']}”: the server runs it now, then on its schedule.")
            await self.refresh_rules()
        except SyncoxideError as error:
            say_error(STATUS, error)


def _rule_body() -> dict[str, Any]:
    """The rule the form describes; an error when it names no provider to copy between."""
    seconds = (
        int(float(element("rule-every").value or 0)) * UNIT_SECONDS[str(element("rule-unit").value)]
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
    return body
