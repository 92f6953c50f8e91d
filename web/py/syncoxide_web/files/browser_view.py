"""The Files view's card for folders inside this browser: list, show, open, download, delete.

The folders and what can be done to them are ``browser_folders``; their files join this
device's in the Files view's search. Open and Download hand the browser a ``blob:`` URL of the
file itself: nothing is copied into Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide_web.files import browser_folders, local_folders
from syncoxide_web.files.browser_html import browser_files_html, browser_folders_html
from syncoxide_web.files.local_folders import LocalFolder
from syncoxide_web.platform.dom import data_of, element, present, say

STATUS = "browser-status"
#: How long a blob: URL handed to a tab or a download stays valid (they start at once).
FORGET_URL_AFTER_MS = 60_000


class BrowserCard:
    def __init__(self) -> None:
        self.folders: list[LocalFolder] = []

    async def load(self) -> None:
        try:
            self.folders[:] = await browser_folders.browser_folders()
        except Exception as error:  # no OPFS (an old browser, some private windows)
            say(STATUS, f"This browser keeps no folders here ({error}).", error=True)
            return
        element("browser-folders").innerHTML = browser_folders_html([f.name for f in self.folders])

    async def folder_action(self, event: Any) -> None:
        action, item = (data_of(event.target, "action") or ""), event.target.closest("li")
        if not action or not present(item):
            return
        folder = self.folders[int(item.dataset.index)]
        if action == "list":
            await self._show_files(folder)
        elif action == "delete-folder" and js.window.confirm(
            f"Delete the browser folder “{folder.name}” and every file in it? It has no trash."
        ):
            await browser_folders.delete_folder(folder)
            element("browser-files").innerHTML = ""
            say(STATUS, f"Deleted “{folder.name}”.")
            await self.load()
            element(STATUS).focus()

    async def file_action(self, event: Any) -> None:
        button = event.target
        action = data_of(button, "action") or ""
        if not action:
            return
        folder, path = self.folders[int(button.dataset.index)], str(button.dataset.path)
        try:
            if action == "delete":
                await self._delete(folder, path)
            else:
                _hand_over(await browser_folders.file_at(folder, path), path, action)
        except SyncoxideError as error:
            say(STATUS, error.message, error=True)
        except Exception as error:  # gone since it was listed
            say(STATUS, f"“{path}” could not be read ({error}).", error=True)

    async def matches(
        self, query: str, still_wanted: Callable[[], bool]
    ) -> local_folders.LocalMatches:
        return await local_folders.search(self.folders, query, still_wanted)

    async def _show_files(self, folder: LocalFolder) -> None:
        found = await local_folders.search([folder], "", lambda: True)
        index = self.folders.index(folder)
        element("browser-files").innerHTML = browser_files_html(index, folder.name, found.files)
        shown = "1 file" if len(found.files) == 1 else f"{len(found.files)} files"
        say(STATUS, f"“{folder.name}”: {shown}.")

    async def _delete(self, folder: LocalFolder, path: str) -> None:
        if not js.window.confirm(f"Delete “{path}” from “{folder.name}”? It has no trash."):
            return
        await browser_folders.delete(folder, path)
        await self._show_files(folder)
        say(STATUS, f"Deleted “{path}”.")
        element(STATUS).focus()  # its row, and the button pressed, are gone


def _hand_over(file: Any, path: str, action: str) -> None:
    """Open ``file`` in a new tab when that is safe to show, or save it as a download."""
    url = js.URL.createObjectURL(file)
    if action == "open" and browser_folders.openable(str(file.type)):
        js.window.open(url, "_blank", "noopener")
    else:
        link = js.document.createElement("a")
        link.href, link.download = url, path.rsplit("/", 1)[-1]
        link.click()
    js.setTimeout(lambda: js.URL.revokeObjectURL(url), FORGET_URL_AFTER_MS)
