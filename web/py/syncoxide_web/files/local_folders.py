"""Folders of this device in the Files view: picked once, remembered, searched in the page.

A folder is picked with ``showDirectoryPicker``; its handle is kept in IndexedDB (through
``picked_handles``), so a reopened page lists it without picking again. A browser may drop the
read permission between visits: the folder then says so, and a click on "Allow access again"
(the user gesture the browser requires) asks for it. Files are walked in the page and never
leave the device. The walk is incremental: it hands the event loop back every few entries, so
the page stays responsive on trees of thousands of files, and it stops at a cap of matches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import js
from pyodide.ffi import to_js

from syncoxide_web.files.storage_html import DEVICE
from syncoxide_web.send import picked_handles

KEY = "files-view-folders"
#: Matches shown per search from all of this device's folders together.
MATCH_CAP = 200
#: Entries walked between two returns to the event loop (clicks and painting run between).
YIELD_EVERY = 64
_HIDDEN = ".syncoxide"


def can_open_folders() -> bool:
    return hasattr(js.window, "showDirectoryPicker")


@dataclass
class LocalFolder:
    handle: Any
    access: str = "prompt"
    #: Where it is, as search results name it: a folder of this device, or of this browser.
    place: str = DEVICE

    @property
    def name(self) -> str:
        return str(self.handle.name)


@dataclass
class LocalMatches:
    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    truncated: bool = False
    walked: int = 0


def _read_mode() -> Any:
    return to_js({"mode": "read"}, dict_converter=js.Object.fromEntries)


async def remembered(key: str = KEY) -> list[LocalFolder]:
    """The folders added on earlier visits (to the list ``key``: each view keeps its own),
    each with the access the browser grants now."""
    folders = [LocalFolder(handle) for handle in await picked_handles.recall(key)]
    for folder in folders:
        folder.access = str(await folder.handle.queryPermission(_read_mode()))
    return folders


async def _keep(folders: list[LocalFolder], key: str) -> None:
    await picked_handles.remember(key, [folder.handle for folder in folders])


async def add(folders: list[LocalFolder], handle: Any, key: str = KEY) -> bool:
    """Remember a picked folder; False if the same folder was added already."""
    for folder in folders:
        if await folder.handle.isSameEntry(handle):
            return False
    folders.append(LocalFolder(handle, "granted"))
    await _keep(folders, key)
    return True


async def remove(folders: list[LocalFolder], index: int, key: str = KEY) -> None:
    del folders[index]
    await _keep(folders, key)


async def allow(folder: LocalFolder) -> bool:
    """Ask the browser for read access again (must run inside the click that asked for it)."""
    folder.access = str(await folder.handle.requestPermission(_read_mode()))
    return folder.access == "granted"


async def search(
    folders: list[LocalFolder],
    query: str,
    still_wanted: Callable[[], bool],
    cap: int = MATCH_CAP,
) -> LocalMatches:
    """Files whose path (inside its folder) contains ``query``, ignoring case; ``""`` is all.

    ``still_wanted`` is asked between steps: a newer search makes this one stop early.
    """
    found = LocalMatches()
    needle = query.casefold()
    for folder in folders:
        label = folder.place + folder.name
        if folder.access != "granted":
            found.errors.append({"connection": label, "message": "Click “Allow access again”."})
            continue
        try:
            await _walk(folder.handle, label, needle, found, cap=cap, still_wanted=still_wanted)
        except Exception as error:  # a folder moved or deleted since: say so, keep the rest
            found.errors.append({"connection": label, "message": f"Could not be read ({error})."})
        if found.truncated or not still_wanted():
            break
    return found


async def _walk(
    root: Any,
    label: str,
    needle: str,
    found: LocalMatches,
    *,
    cap: int,
    still_wanted: Callable[[], bool],
) -> None:
    # A stack, not recursion: deep trees cost no Python frames, and the walk can stop anywhere.
    pending: list[tuple[Any, str]] = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        iterator = folder.values()
        while not (step := await iterator.next()).done:
            child = step.value
            path = f"{prefix}{child.name}"
            found.walked += 1
            if found.walked % YIELD_EVERY == 0:
                await asyncio.sleep(0)
                if not still_wanted():
                    return
            if str(child.name).startswith(_HIDDEN):
                continue
            if str(child.kind) != "file":
                pending.append((child, path + "/"))
            elif needle in path.casefold():
                if len(found.files) >= cap:
                    found.truncated = True
                    return
                file = await child.getFile()
                found.files.append(
                    {
                        "connection": label,
                        "path": path,
                        "size": int(file.size),
                        "mtime": int(file.lastModified) // 1000,
                    }
                )
