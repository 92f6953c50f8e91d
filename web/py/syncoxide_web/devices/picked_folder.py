"""A folder on this computer's disk, picked with the File System Access API, as a device folder.

``showDirectoryPicker({mode: "readwrite"})`` (Chromium, Edge; Firefox and Safari have no such
picker) gives a ``FileSystemDirectoryHandle``, the same interface as a browser folder (OPFS), so
the folder is the same ``DirectoryHandleProvider`` (``platform/directory_provider.py``) and the
same core ``ProviderFolder``. What differs is kept here:

- **Across reloads** the handle is kept in IndexedDB (handles are structured-cloneable, not
  JSON), one per shared folder name::

      database "syncoxide-device-folders", object store "handles", key: the folder's NAME

- **Permission.** A reopened page usually holds the handle with permission "prompt": the
  browser asks again only inside a click (``requestPermission`` needs a user gesture), so the
  Devices view offers "Allow access" and the folder is not synced until it is granted. Refused
  or not yet asked, nothing is read, written or announced: the other devices keep every file.
- **Gone.** A folder moved, renamed or deleted on the disk answers ``NotFoundError``; that is
  said plainly and the folder is left alone (an empty listing would be refused anyway, by the
  empty-side stop in ``folder_port.refuse_if_vanished``).
"""

from __future__ import annotations

import secrets
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide.errors import NotFoundError, PermissionDeniedError
from syncoxide_web.platform.directory_provider import DirectoryHandleProvider
from syncoxide_web.platform.indexed_db import finished, object_store
from syncoxide_web.platform.opfs import open_picked_folder

DATABASE = "syncoxide-device-folders"
STORE = "handles"
#: The picker opens where it last did for this id (the browser remembers it per origin).
PICKER_ID = "syncoxide-device-folder"
NOT_SUPPORTED = (
    "This browser cannot open a folder on your disk (it has no File System Access API; "
    "Chromium and Edge do). A browser folder is synced instead: it lives in this browser's "
    "storage and Files shows it under “This browser”."
)


def can_pick() -> bool:
    return hasattr(js.window, "showDirectoryPicker")


def _mode() -> Any:
    return to_js({"mode": "readwrite"}, dict_converter=js.Object.fromEntries)


async def pick() -> Any:
    """The handle of a folder the user picks for reading and writing (raises if they cancel)."""
    options = {"mode": "readwrite", "id": PICKER_ID}
    return await js.window.showDirectoryPicker(to_js(options, dict_converter=js.Object.fromEntries))


async def remember(name: str, handle: Any) -> None:
    await finished((await object_store(DATABASE, STORE, "readwrite")).put(handle, name))


async def recall(name: str) -> Any | None:
    found = await finished((await object_store(DATABASE, STORE, "readonly")).get(name))
    return found if found is not None else None


def place_of(handle: Any) -> dict[str, str]:
    """The shared folder's place for a folder just picked. Its index is keyed by a new
    ``picked_id`` each time a folder is picked, even the same one: a folder deleted and made
    again, a restored copy or another folder of the same name would otherwise inherit the old
    index, which calls every file the folder lacks deleted, and those deletions would reach
    every other device (the browser cannot tell a folder recreated at the same place:
    ``isSameEntry`` compares places). With a fresh index every file counts as new: the same
    content as a peer's merges, a different one is kept as a conflict. A pick costs one read
    of the folder."""
    return {"picked_folder": str(handle.name), "picked_id": secrets.token_hex(8)}


async def access(handle: Any) -> str:
    """What the browser allows now, without asking: "granted", "prompt" or "denied"."""
    return str(await handle.queryPermission(_mode()))


async def ask_access(handle: Any) -> str:
    """Ask the user for read-write access (only works inside the click that asked for it)."""
    return str(await handle.requestPermission(_mode()))


async def check_usable(name: str, handle: Any) -> None:
    """Raise a clear error when the folder cannot be synced now: access not granted, or the
    folder gone from the disk. Cheap enough to call before every rescan."""
    state = await access(handle)
    if state != "granted":
        verb = "refused" if state == "denied" else "not given yet"
        raise PermissionDeniedError(
            f"Access to the folder “{handle.name}” on this computer is {verb}, so {name} is "
            "not synced here.",
            hint="Nothing was changed in it or on your other devices. Click “Allow access” "
            "and allow editing when the browser asks.",
        )
    try:
        await handle.values().next()
    except JsException as error:
        if getattr(error, "name", "") != "NotFoundError":
            raise
        raise NotFoundError(
            f"The folder “{handle.name}” is gone from this computer's disk (moved, renamed or "
            f"deleted), so {name} is not synced here.",
            hint="Nothing was deleted on your other devices. Pick the folder again (under the "
            "same shared name) to sync it once more: a folder picked anew starts a fresh index.",
        ) from None


async def open_folder(name: str, handle: Any) -> DirectoryHandleProvider:
    """The picked folder as a Provider; its modification times are kept under ``name``."""
    return await open_picked_folder(handle, f"device:{name}")


__all__ = [
    "NOT_SUPPORTED",
    "access",
    "ask_access",
    "can_pick",
    "check_usable",
    "open_folder",
    "pick",
    "place_of",
    "recall",
    "remember",
]
