"""What a click on an indexed file's row does, the same in All files, Recent and Starred.

Star and unstar mark the index; Delete sends a file of yours on this server to the trash
(never further: Trash is where it is deleted for good); History opens the file's versions
in the History view, told through a feed so the views do not import each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import js

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.platform.dom import data_of, present, say, say_error
from syncoxide_web.platform.feed import Feed

#: Called after a row's action changed something, to show the list as it is now.
Reload = Callable[[], Awaitable[None]]
#: Called with (place, folder) when a folder's name is clicked.
OpenFolder = Callable[[str, str], Awaitable[None]]


class EntryActions:
    def __init__(
        self, status: str, history: Feed[str], reload: Reload, open_folder: OpenFolder | None = None
    ) -> None:
        self._status = status
        self._history = history
        self._reload = reload
        self._open_folder = open_folder

    async def row_click(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        row = event.target.closest("tr.catalog-entry")
        if not action or not present(row):
            return
        data = row.dataset
        source, path, location = str(data.source), str(data.path), str(data.location)
        if action == "open" and self._open_folder is not None:
            await self._open_folder(source, path)
        elif action == "history":
            self._history.publish(location)
            js.location.hash = "#/history"
        elif action in ("star", "unstar"):
            await self._star(location, action == "star")
        elif action == "delete":
            await self._delete(path, str(data.kind) == "dir")

    async def _star(self, location: str, starred: bool) -> None:
        try:
            await call_api("PUT", "/catalog/star", {"location": location, "starred": starred})
        except SyncoxideError as error:
            say_error(self._status, error, what=f"{location} was not starred")
            return
        say(self._status, f"Starred {location}." if starred else f"Unstarred {location}.")
        await self._reload()

    async def _delete(self, path: str, is_folder: bool) -> None:
        what = "this folder and everything in it" if is_folder else "this file"
        if not js.window.confirm(f"Move {what} to the trash? You can restore it from Trash."):
            return
        query = f"?path={quote(path, safe='')}" + ("&recursive=true" if is_folder else "")
        try:
            await call_api("DELETE", "/storage" + query)
        except SyncoxideError as error:
            say_error(self._status, error, what=f"“{path}” was not deleted", kept="It is kept.")
            return
        say(self._status, f"Moved “{path}” to the trash.")
        await self._reload()
