"""The History view: the older versions of one of your files on this server.

Opened from a file's History button in All files, Recent or Starred (which tell the path
through a feed). Restoring a version makes it current; the current content becomes a
version in turn, so nothing is lost by trying one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import versions_html
from syncoxide_web.platform.dom import Listeners, element, say, say_error, show
from syncoxide_web.platform.feed import Feed

STATUS = "history-status"


class HistoryView:
    def __init__(self, history: Feed[str]) -> None:
        self._listeners = Listeners()
        self._history = history
        self._path = ""

    def start(self) -> HistoryView:
        self._listeners.on_task("history-list", "click", self._version_click)
        self._history.follow(self._open)
        return self

    def _open(self, path: str) -> None:
        self._path = path
        element("history-path").textContent = path
        show("history-none", False)
        say(STATUS, "")
        self._listeners.start(self.show())

    async def show(self) -> None:
        try:
            answer = await call_api("GET", f"/catalog/versions?path={quote(self._path, safe='')}")
        except SyncoxideError as error:
            say_error(STATUS, error, what="The versions could not be read")
            return
        element("history-list").innerHTML = versions_html(answer["items"])

    async def _version_click(self, event: Any) -> None:
        action = str(event.target.dataset.action or "")
        row = event.target.closest("tr.kept-item")
        if not action or row is None:
            return
        version_id = int(row.dataset.id)
        try:
            if action == "restore":
                await call_api("POST", "/catalog/versions/restore", {"id": version_id})
                say(STATUS, "Restored that version; what was current is now a version below.")
            elif action == "keep":
                keep = str(row.dataset.keep) != "true"
                await call_api("PUT", "/catalog/keep", {"id": version_id, "keep": keep})
        except SyncoxideError as error:
            say_error(STATUS, error, kept="The file is as it was.")
        await self.show()
