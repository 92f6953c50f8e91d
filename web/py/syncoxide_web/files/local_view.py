"""The Files view's card for this device's folders: add, allow again, show, remove.

The folders themselves (remembering, access, the walk) are ``local_folders``; this module is
the page around them. Their matches join the server's in the Files view's search.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js  # type: ignore[import-not-found]

from syncoxide_web.api.client import show_status
from syncoxide_web.files import local_folders
from syncoxide_web.files.local_folders import LocalFolder, LocalMatches
from syncoxide_web.files.storage_html import local_folders_html, merged_answer
from syncoxide_web.sync.rules_html import files_html

NO_PICKER = (
    "This browser cannot open folders on your device (it lacks the File System Access API, "
    "as Firefox and Safari do): use Chrome, Edge or Chromium to search them here."
)

_folders: list[LocalFolder] = []
#: A new search or listing bumps this; an older walk still running sees it and stops.
_generation = [0]


def _element(name: str) -> Any:
    return js.document.getElementById(name)


def _say(text: str, *, error: bool = False) -> None:
    show_status("local-status", text, error=error)


def _render() -> None:
    _element("local-folders").innerHTML = local_folders_html([(f.name, f.access) for f in _folders])


async def load_local_folders() -> None:
    if not local_folders.can_open_folders():
        _element("local-add").hidden = True
        _element("local-folders").innerHTML = ""
        _say(NO_PICKER)
        return
    try:
        _folders[:] = await local_folders.remembered()
    except Exception as error:  # IndexedDB unavailable (private window): folders for this visit
        _say(f"Folders cannot be remembered in this browser ({error}).", error=True)
    _render()


async def add_local_folder(_event: Any) -> None:
    try:
        handle = await js.window.showDirectoryPicker()
    except Exception:  # the user closed the dialog: nothing to do
        return
    try:
        added = await local_folders.add(_folders, handle)
    except Exception as error:
        _say(f"The folder could not be remembered ({error}).", error=True)
        return
    _render()
    _say(f"Added “{handle.name}”." if added else f"“{handle.name}” is already here.")


async def local_folder_action(event: Any) -> None:
    action = str(event.target.dataset.action or "")
    item = event.target.closest("li.local-folder")
    if not action or item is None:
        return
    folder = _folders[int(item.dataset.index)]
    if action == "allow":
        granted = await local_folders.allow(folder)
        _say(f"“{folder.name}” is readable." if granted else "The browser refused access.")
    elif action == "remove":
        await local_folders.remove(_folders, _folders.index(folder))
        _say(f"Removed “{folder.name}” from this list; nothing on the device was touched.")
    elif action == "list":
        await _show_files(folder)
    _render()


def new_walk() -> Callable[[], bool]:
    """Start a walk: the answer says whether it is still the latest one."""
    _generation[0] += 1
    mine = _generation[0]
    return lambda: _generation[0] == mine


async def device_matches(query: str, still_wanted: Callable[[], bool]) -> LocalMatches:
    return await local_folders.search(_folders, query, still_wanted)


async def _show_files(folder: LocalFolder) -> None:
    if folder.access != "granted" and not await local_folders.allow(folder):
        _say("The browser refused access.", error=True)
        return
    still_wanted = new_walk()
    _say(f"Reading “{folder.name}”…")
    found = await local_folders.search([folder], "", still_wanted)
    if not still_wanted():
        return
    answer = merged_answer(None, found.files, found.errors, found.truncated)
    _element("files-results").innerHTML = files_html(answer)
    _say(f"“{folder.name}”: {len(found.files)} files shown ({found.walked} entries read).")
