"""The History view: the older versions of one of your files.

Opened from a file's History button in All files, Recent or Starred (which tell its
``PROVIDER:path`` through a feed). For your files on this server, the versions the server
kept; for a file on a connection, the versions its provider keeps itself (Google Drive,
Dropbox, an S3 bucket with versioning on), or why there are none. Restoring a version makes
it current; the current content becomes a version in turn, so nothing is lost by trying one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import HOME, provider_versions_html, versions_html
from syncoxide_web.platform.dom import Listeners, data_of, element, present, say, say_error, show
from syncoxide_web.platform.feed import Feed
from syncoxide_web.platform.latest import LatestRead

STATUS = "history-status"


class HistoryView:
    def __init__(self, history: Feed[str]) -> None:
        self._listeners = Listeners()
        self._history = history
        self._path = ""
        self._location = ""  # PROVIDER:path of a file on a connection; "" for server storage
        self._reads = LatestRead()  # only the last read asked draws (another file's may linger)

    def start(self) -> HistoryView:
        self._listeners.on_task("history-list", "click", self._version_click)
        self._history.follow(self._open)
        return self

    def _open(self, location: str) -> None:
        source, _, path = location.partition(":")
        self._path = path
        self._location = "" if source == HOME else location
        element("history-path").textContent = self._location or path
        show("history-none", False)
        say(STATUS, "")
        self._listeners.start(self.show())

    async def show(self) -> None:
        latest = self._reads.ask()
        if self._location:
            await self._show_provider_versions(latest)
            return
        try:
            answer = await call_api("GET", f"/catalog/versions?path={quote(self._path, safe='')}")
        except SyncoxideError as error:
            if latest():
                say_error(STATUS, error, what="The versions could not be read")
            return
        if latest():
            element("history-list").innerHTML = versions_html(answer["items"])

    async def _show_provider_versions(self, latest: Callable[[], bool]) -> None:
        where = quote(self._location, safe="")
        try:
            answer = await call_api("GET", f"/catalog/provider-versions?location={where}")
        except SyncoxideError as error:
            if latest():
                element("history-list").innerHTML = ""
                say_error(STATUS, error, what="The provider's versions could not be read")
            return
        if latest():
            element("history-list").innerHTML = provider_versions_html(answer["versions"])

    async def _restore_provider_version(self, version_id: str) -> None:
        body = {"location": self._location, "version_id": version_id}
        try:
            await call_api("POST", "/catalog/provider-versions/restore", body)
            say(STATUS, "Restored that version; the provider keeps what was current.")
        except SyncoxideError as error:
            say_error(STATUS, error, kept="The file is as it was.")
        await self.show()

    async def _version_click(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        if self._location:  # the rows are the provider's versions; a button sits in its row
            if action == "restore":
                row = event.target.closest("tr.provider-version")
                await self._restore_provider_version(str(row.dataset.version))
            return
        row = event.target.closest("tr.kept-item")
        if not action or not present(row):
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
