"""The restores into providers under the backups card: how far each is, Cancel, Start again.

The list is read from ``GET /backups/restores``; while one runs, the live events carry its
progress (``backup.restore.progress``: files and bytes done of the total), applied to the row
in place so the page asks the server for nothing more until the restore ends.
"""

from __future__ import annotations

from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.backups.backups_html import restores_html
from syncoxide_web.platform.dom import data_of, element, present, say, say_error

RESTORE_STATUS = "backup-restore-status"
_COUNTS = ("status", "files", "files_total", "bytes", "bytes_total")


class RestoresList:
    def __init__(self) -> None:
        self._restores: list[dict[str, Any]] = []
        self._connection_names: dict[int, str] = {}

    def show_connections(self, connections: list[dict[str, Any]]) -> None:
        self._connection_names = {int(c["id"]): str(c["name"]) for c in connections}
        self.render()

    async def refresh(self) -> None:
        try:
            self._restores = (await call_api("GET", "/backups/restores"))["restores"]
        except SyncoxideError as error:
            say_error(RESTORE_STATUS, error, what="Restores could not be listed")
            return
        self.render()

    def render(self) -> None:
        element("backup-restores").innerHTML = restores_html(self._restores, self._connection_names)

    def progressed(self, payload: dict[str, Any]) -> bool:
        """Apply a running restore's progress event in place; False if the list must be read
        again (a restore it does not show yet, or one that ended)."""
        shown = next((r for r in self._restores if r["id"] == payload.get("restore_id")), None)
        if shown is None or payload.get("status") != "running":
            return False
        shown.update({key: payload[key] for key in _COUNTS if key in payload})
        self.render()
        return True

    async def restore_action(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        item = event.target.closest("li.backup-restore")
        if action not in ("cancel", "restart") or not present(item):
            return
        path = f"/backups/restores/{int(item.dataset.restoreId)}/{action}"
        try:
            await call_api("POST", path)
        except SyncoxideError as error:
            say_error(RESTORE_STATUS, error)
        else:
            words = (
                "Stopping the restore: files written so far stay."
                if action == "cancel"
                else ("Restoring again on the server: files already there are replaced.")
            )
            say(RESTORE_STATUS, words)
        await self.refresh()
