"""The Trash view: what was deleted from your files on this server, to restore or delete for good.

A deleted folder is one item (restoring it brings back everything in it). Restoring never
loses what is there now: a file in the way becomes a version first (the server's rule).
Items past the retention time are purged by the server on its own schedule.
"""

from __future__ import annotations

from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import trash_html
from syncoxide_web.platform.dom import Listeners, data_of, element, present, say, say_error
from syncoxide_web.platform.latest import LatestRead

STATUS = "trash-status"


class TrashView:
    def __init__(self) -> None:
        self._listeners = Listeners()
        self._reads = LatestRead()  # only the last read asked draws

    def start(self) -> TrashView:
        self._listeners.on_task("trash-list", "click", self._item_click)
        self._listeners.on_shown("trash", self.show)
        self._listeners.start(self.show())
        return self

    async def show(self) -> None:
        latest = self._reads.ask()
        try:
            answer = await call_api("GET", "/catalog/trash")
        except SyncoxideError as error:
            if latest():
                say_error(STATUS, error, what="The trash could not be read")
            return
        if latest():
            element("trash-list").innerHTML = trash_html(answer["items"])

    async def _item_click(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        row = event.target.closest("tr.kept-item")
        if not action or not present(row):
            return
        item_id = int(row.dataset.id)
        try:
            if action == "restore":
                restored = await call_api("POST", "/catalog/trash/restore", {"id": item_id})
                say(STATUS, f"Restored “{restored['path']}”.")
            elif action == "forget":
                if not js.window.confirm("Delete this forever? This cannot be undone."):
                    return
                await call_api("DELETE", f"/catalog/trash?id={item_id}")
                say(STATUS, "Deleted forever.")
            elif action == "keep":
                keep = str(row.dataset.keep) != "true"
                await call_api("PUT", "/catalog/keep", {"id": item_id, "keep": keep})
        except SyncoxideError as error:
            say_error(STATUS, error, kept="The trash is as it was.")
        await self.show()
