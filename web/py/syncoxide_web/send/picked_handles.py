"""What the sender picked with the File System Access API, kept in IndexedDB across reloads.

File and directory handles survive a reload only in IndexedDB (they are structured-cloneable,
not JSON). A reopened page asks for read permission again (the Resume click is the user gesture
that allows it) and reads the same files without the user picking them again. Browsers without
the API, or a permission the user refuses, fall back to picking the files again.
"""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import to_js

from syncoxide_web.platform.indexed_db import finished, object_store

DATABASE = "syncoxide-send"
STORE = "picked"


def can_pick() -> bool:
    return hasattr(js.window, "showOpenFilePicker") and hasattr(js.window, "showDirectoryPicker")


async def _store(mode: str) -> Any:
    return await object_store(DATABASE, STORE, mode)


async def remember(key: str, handles: list[Any]) -> None:
    await finished((await _store("readwrite")).put(to_js(handles), key))


async def recall(key: str) -> list[Any]:
    found = await finished((await _store("readonly")).get(key))
    return list(found) if found is not None else []


async def forget(key: str) -> None:
    await finished((await _store("readwrite")).delete(key))


async def readable(handles: list[Any]) -> bool:
    """Ask again for read access to handles from an earlier page (needs a user gesture)."""
    read = to_js({"mode": "read"}, dict_converter=js.Object.fromEntries)
    for handle in handles:
        if str(await handle.queryPermission(read)) == "granted":
            continue
        if str(await handle.requestPermission(read)) != "granted":
            return False
    return True


async def entries_of(handles: list[Any]) -> tuple[list[tuple[str, Any]], tuple[str, ...]]:
    """(relative path, File) for every file, and every folder (empty ones too), sorted."""
    files: list[tuple[str, Any]] = []
    folders: list[str] = []
    for handle in handles:
        if str(handle.kind) == "file":
            files.append((str(handle.name), await handle.getFile()))
        else:
            await _walk(handle, str(handle.name), files, folders)
    return sorted(files, key=lambda item: item[0]), tuple(sorted(folders))


async def _walk(folder: Any, path: str, files: list[tuple[str, Any]], folders: list[str]) -> None:
    folders.append(path)
    iterator = folder.values()
    while not (step := await iterator.next()).done:
        child = step.value
        child_path = f"{path}/{child.name}"
        if str(child.kind) == "file":
            files.append((child_path, await child.getFile()))
        else:
            await _walk(child, child_path, files, folders)
