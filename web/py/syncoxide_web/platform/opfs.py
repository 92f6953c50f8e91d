"""The origin-private file system: sync folders that live inside the browser, and a small
private area (``.syncoxide-meta``) for what the app keeps about other folders."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide_web.platform.directory_provider import DirectoryHandleProvider
from syncoxide_web.platform.mtime_index import MtimeIndex

META_FOLDER = ".syncoxide-meta"
FOLDERS = "folders"


def js_options(**values: Any) -> Any:
    """A plain JS object (e.g. ``{create: true}``) for the file system API's option bags."""
    return to_js(values, dict_converter=js.Object.fromEntries)


async def opfs_root() -> Any:
    return await js.navigator.storage.getDirectory()


class OpfsTextFile:
    """A small text file in the private area, replaced atomically on every save."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def _folder(self) -> Any:
        return await (await opfs_root()).getDirectoryHandle(META_FOLDER, js_options(create=True))

    async def load(self) -> str | None:
        try:
            handle = await (await self._folder()).getFileHandle(self.name)
        except JsException:
            return None
        return str(await (await handle.getFile()).text())

    async def save(self, text: str) -> None:
        handle = await (await self._folder()).getFileHandle(self.name, js_options(create=True))
        stream = await handle.createWritable()
        await stream.write(text)
        await stream.close()

    async def remove(self) -> None:
        """Remove the file (nothing happens when it does not exist)."""
        with contextlib.suppress(JsException):  # NotFoundError: already gone
            await (await self._folder()).removeEntry(self.name)


async def index_for(root_id: str) -> MtimeIndex:
    name = "mtimes-" + hashlib.sha256(root_id.encode()).hexdigest()[:24] + ".json"
    index = MtimeIndex(OpfsTextFile(name))
    await index.load()
    return index


async def open_opfs_folder(name: str) -> DirectoryHandleProvider:
    """The private sync folder ``name`` (created on first use)."""
    folders = await (await opfs_root()).getDirectoryHandle(FOLDERS, js_options(create=True))
    handle = await folders.getDirectoryHandle(name, js_options(create=True))
    root_id = f"opfs:{name}"
    return DirectoryHandleProvider(handle, root_id, await index_for(root_id))


async def open_picked_folder(handle: Any, remembered_id: str) -> DirectoryHandleProvider:
    """A folder from ``showDirectoryPicker``; ``remembered_id`` survives reloads with the handle.

    Picked folders usually live on case-insensitive disks (Windows, macOS), so they are
    treated as such: two names differing only in case are never created side by side.
    """
    root_id = f"folder:{remembered_id}"
    return DirectoryHandleProvider(handle, root_id, await index_for(root_id), case_sensitive=False)
