"""Folders that live inside this browser (its origin-private file system), as Files shows them.

Two kinds exist: the folders the Sync view makes (``folders/<name>`` in OPFS, see
``platform/opfs.py``) and the receive page's inbox (``received``, files saved "in this
browser"). They are ``LocalFolder``s whose access is always granted, so the walk and the search
of this device's folders serve them unchanged. Paths are ``/``-separated inside their folder.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pyodide.ffi import JsException

from syncoxide.errors import InvalidInputError
from syncoxide_web.files.local_folders import LocalFolder
from syncoxide_web.platform.opfs import FOLDERS, js_options, opfs_root

BROWSER = "This browser: "
#: The receive page's folder for files saved in this browser (``receive/page.py``'s INBOX).
RECEIVED = "received"
#: What the browser may show in a tab of ours; anything else (HTML, SVG: they could run
#: script with this site's rights) is downloaded instead of opened.
OPENABLE = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif",
            "application/pdf", "text/plain", "audio/", "video/")  # fmt: skip


async def browser_folders() -> list[LocalFolder]:
    """Sync's browser folders by name, then the received files' folder, if they exist."""
    root = await opfs_root()
    found = [
        LocalFolder(handle, "granted", BROWSER)
        for handle in sorted(await _folders_in(root, FOLDERS), key=lambda h: str(h.name))
    ]
    with contextlib.suppress(JsException):  # raised when nothing was ever saved in this browser
        found.append(LocalFolder(await root.getDirectoryHandle(RECEIVED), "granted", BROWSER))
    return found


async def _folders_in(root: Any, name: str) -> list[Any]:
    try:
        parent = await root.getDirectoryHandle(name)
    except JsException:  # no browser folder made yet
        return []
    handles = []
    iterator = parent.values()
    while not (step := await iterator.next()).done:
        if str(step.value.kind) == "directory":
            handles.append(step.value)
    return handles


def _parts(path: str) -> list[str]:
    parts = path.split("/")
    if not path or any(part in ("", ".", "..") for part in parts):
        raise InvalidInputError(f"“{path}” is not a path inside the folder.")
    return parts


async def _parent_of(folder: LocalFolder, path: str) -> tuple[Any, str]:
    *inner, name = _parts(path)
    handle = folder.handle
    for part in inner:
        handle = await handle.getDirectoryHandle(part)
    return handle, name


async def file_at(folder: LocalFolder, path: str) -> Any:
    """The ``File`` at ``path`` in ``folder``."""
    parent, name = await _parent_of(folder, path)
    return await (await parent.getFileHandle(name)).getFile()


async def delete(folder: LocalFolder, path: str) -> None:
    """Delete the file at ``path`` in ``folder`` (a browser folder: no trash to keep it in)."""
    parent, name = await _parent_of(folder, path)
    await parent.removeEntry(name)


async def delete_folder(folder: LocalFolder) -> None:
    """Delete a whole browser folder with everything in it."""
    root = await opfs_root()
    if str(folder.name) == RECEIVED and await _same(root, RECEIVED, folder):
        await root.removeEntry(RECEIVED, js_options(recursive=True))
        return
    parent = await root.getDirectoryHandle(FOLDERS)
    await parent.removeEntry(folder.name, js_options(recursive=True))


async def _same(root: Any, name: str, folder: LocalFolder) -> bool:
    return bool(await (await root.getDirectoryHandle(name)).isSameEntry(folder.handle))


def openable(media_type: str) -> bool:
    return any(media_type == kind or (kind.endswith("/") and media_type.startswith(kind))
               for kind in OPENABLE)  # fmt: skip
