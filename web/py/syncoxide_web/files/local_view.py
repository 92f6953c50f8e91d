"""The Files view's card for this device's folders: add, allow again, show, remove.

The folders themselves (remembering, access, the walk) are ``local_folders``; this module is
the page around them. Their matches join the server's in the Files view's search.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js

from syncoxide.units import counted
from syncoxide_web.files import local_folders
from syncoxide_web.files.local_folders import LocalFolder, LocalMatches
from syncoxide_web.files.storage_html import local_folders_html, merged_answer
from syncoxide_web.platform.dom import data_of, element, present, say, show
from syncoxide_web.sync.rules_html import files_html

STATUS = "local-status"
NO_PICKER = (
    "This browser cannot open folders on your device (it lacks the File System Access API, "
    "as Firefox and Safari do): use Chrome, Edge or Chromium to search them here."
)


class LocalCard:
    """The card's folders, and which walk is the latest (an older one still running stops)."""

    def __init__(self) -> None:
        self._folders: list[LocalFolder] = []
        self._generation = 0  # a new search or listing bumps it

    async def load_local_folders(self) -> None:
        if not local_folders.can_open_folders():
            show("local-add", False)
            element("local-folders").innerHTML = ""
            say(STATUS, NO_PICKER)
            return
        try:
            self._folders[:] = await local_folders.remembered()
        except Exception as error:  # IndexedDB unavailable (private window): folders for this visit
            say(STATUS, f"Folders cannot be remembered in this browser ({error}).", error=True)
        self._render()

    async def add_local_folder(self, _event: Any) -> None:
        try:
            handle = await js.window.showDirectoryPicker()
        except Exception:  # the user closed the dialog: nothing to do
            return
        try:
            added = await local_folders.add(self._folders, handle)
        except Exception as error:
            say(STATUS, f"The folder could not be remembered ({error}).", error=True)
            return
        self._render()
        say(STATUS, f"Added “{handle.name}”." if added else f"“{handle.name}” is already here.")

    async def local_folder_action(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        item = event.target.closest("li.local-folder")
        if not action or not present(item):
            return
        folder = self._folders[int(item.dataset.index)]
        if action == "allow":
            granted = await local_folders.allow(folder)
            say(
                STATUS,
                f"“{folder.name}” is readable." if granted else "The browser refused access.",
            )
        elif action == "remove":
            await local_folders.remove(self._folders, self._folders.index(folder))
            say(
                STATUS,
                f"Removed “{folder.name}” from this list; nothing on the device was touched.",
            )
        elif action == "list":
            await self._show_files(folder)
        self._render()

    def new_walk(self) -> Callable[[], bool]:
        """Start a walk: the answer says whether it is still the latest one."""
        self._generation += 1
        mine = self._generation
        return lambda: self._generation == mine

    async def device_matches(self, query: str, still_wanted: Callable[[], bool]) -> LocalMatches:
        return await local_folders.search(self._folders, query, still_wanted)

    async def _show_files(self, folder: LocalFolder) -> None:
        if folder.access != "granted" and not await local_folders.allow(folder):
            say(STATUS, "The browser refused access.", error=True)
            return
        still_wanted = self.new_walk()
        say(STATUS, f"Reading “{folder.name}”…")
        found = await local_folders.search([folder], "", still_wanted)
        if not still_wanted():
            return
        answer = merged_answer(None, found.files, found.errors, local_truncated=found.truncated)
        element("files-results").innerHTML = files_html(answer)
        say(
            STATUS,
            f"“{folder.name}”: {counted(len(found.files), 'file')} shown "
            f"({counted(found.walked, 'entry', 'entries')} read).",
        )

    def _render(self) -> None:
        element("local-folders").innerHTML = local_folders_html(
            [(f.name, f.access) for f in self._folders]
        )
