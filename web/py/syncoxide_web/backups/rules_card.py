"""The provider backups card: back up a connected provider's folder on a schedule, on the server.

The rules run with this page closed; the card makes them, runs one now, pauses or deletes
it, and shows where each stands: its last run, the failure if it failed, and its next run.
"""

from __future__ import annotations

from typing import Any

import js

from syncoxide.errors import SyncoxideError, UsageError
from syncoxide_web.api.client import call_api
from syncoxide_web.backups.backups_html import backup_rules_html, repository_choices
from syncoxide_web.platform.dom import data_of, element, present, say, say_error
from syncoxide_web.sync.rules_html import connection_choices

STATUS = "backup-rule-status"
KEEP_FIELDS = ("daily", "weekly", "monthly")


class BackupRulesCard:
    """The rules shown, with the names of the connections and repositories they name."""

    def __init__(self) -> None:
        self._rules: list[dict[str, Any]] | None = None  # None: not loaded yet
        self._connections: dict[int, str] = {}
        self._repositories: dict[int, str] = {}

    def show_connections(self, connections: list[dict[str, Any]]) -> None:
        self._connections = {int(c["id"]): str(c["name"]) for c in connections}
        element("backup-rule-source").innerHTML = connection_choices(connections)
        self._render()

    def show_repositories(self, repositories: list[dict[str, Any]]) -> None:
        self._repositories = {int(r["id"]): str(r["name"]) for r in repositories}
        element("backup-rule-repo").innerHTML = repository_choices(repositories)
        self._render()

    async def refresh(self) -> None:
        try:
            self._rules = (await call_api("GET", "/backups/rules"))["rules"]
        except SyncoxideError as error:
            say_error(STATUS, error, what="Provider backups could not be loaded")
            return
        self._render()

    def _render(self) -> None:
        if self._rules is not None:
            element("backup-rules").innerHTML = backup_rules_html(
                self._rules, self._connections, self._repositories
            )

    async def create(self, _event: Any) -> None:
        try:
            made = await call_api("POST", "/backups/rules", _rule_body())
        except SyncoxideError as error:
            say_error(STATUS, error, what="The backup was not set up", kept="Nothing changed.")
            return
        schedule = made["schedule"]
        say(STATUS, f"Set up “{made['name']}”: it runs {schedule}; Run now makes a first backup.")
        await self.refresh()

    async def rule_action(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        item = event.target.closest("li.backup-rule")
        if not action or not present(item):
            return
        path = f"/backups/rules/{int(item.dataset.ruleId)}"
        try:
            if action == "run":
                await call_api("POST", path + "/run")
                say(STATUS, "Backing up on the server now; the result shows here when done.")
            elif action == "toggle":
                current = await call_api("GET", path)
                await call_api("PATCH", path, {"enabled": not current["enabled"]})
            elif action == "delete":
                if not js.window.confirm("Delete this provider backup? Its backups stay."):
                    return
                await call_api("DELETE", path)
        except SyncoxideError as error:
            say_error(STATUS, error)
        await self.refresh()


def _rule_body() -> dict[str, Any]:
    source, repository = element("backup-rule-source").value, element("backup-rule-repo").value
    if not source:
        raise UsageError("Connect a provider in Files first, then pick it here.")
    if not repository:
        raise UsageError(
            "Pick a repository whose passphrase the server keeps.",
            hint="Add one above, or give the passphrase of one you have.",
        )
    retention = {}
    for field in KEEP_FIELDS:
        raw = str(element(f"backup-rule-keep-{field}").value).strip()
        if raw:
            if not raw.isdigit():
                raise UsageError(f"Keep {field} takes a whole number, such as 7.")
            retention[field] = int(raw)
    return {
        "name": str(element("backup-rule-name").value).strip(),
        "connection_id": int(source),
        "source_path": str(element("backup-rule-path").value).strip(),
        "repository_id": int(repository),
        "schedule": str(element("backup-rule-schedule").value).strip() or "daily at 02:00",
        "retention": retention,
    }
