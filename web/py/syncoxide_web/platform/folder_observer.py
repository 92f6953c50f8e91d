"""Change events for a folder handle, where the browser has them (``FileSystemObserver``).

Chromium calls back with records naming what changed, relative to the observed folder:
``appeared``, ``disappeared``, ``modified``, ``moved`` (with where from). Each names a path to
look at again (``ProviderFolder.scan_paths``). ``unknown`` means the browser lost track (its
queue overflowed) and ``errored`` that observing stopped (the folder went away, or access
was taken back): both ask for a whole scan. Without the API, ``watching`` gives None and the
caller polls as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import js
from pyodide.ffi import JsException, create_proxy, jsnull, to_js

#: A burst of records (a folder copied in, an editor's save) is gathered this long after
#: its first record, so it makes one scan of every path it named rather than one each.
GATHER_SECONDS = 0.2
_WHOLE_SCAN = ("unknown", "errored")


class FolderObserver:
    def __init__(self) -> None:
        self._paths: set[str] = set()
        self._whole = False
        self.stopped = False  # observing ended (``errored``): watch the folder again
        self._changed = asyncio.Event()
        self._callback = create_proxy(self._on_records)
        self._observer: Any = js.FileSystemObserver.new(self._callback)

    def _on_records(self, records: Any, _observer: Any) -> None:
        for record in records:
            kind = str(record.type)
            if kind in _WHOLE_SCAN:
                self._whole = True
                self.stopped = self.stopped or kind == "errored"
            self._paths.add(_path(record.relativePathComponents))
            moved_from = record.relativePathMovedFrom  # JavaScript's null unless a move
            if moved_from is not None and moved_from is not jsnull:
                self._paths.add(_path(moved_from))
        self._changed.set()

    async def next_change(self, timeout: float) -> tuple[set[str], bool]:
        """The paths changed since the last call, and whether to scan the whole folder
        instead (told so, or nothing heard for ``timeout`` seconds: a scan now and then
        catches what no record named)."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return set(), True
        await asyncio.sleep(GATHER_SECONDS)
        self._changed.clear()
        paths, whole = self._paths, self._whole
        self._paths, self._whole = set(), False
        return paths, whole or "" in paths

    async def observe(self, handle: Any) -> bool:
        """Start observing ``handle`` and everything in it; False if the browser refuses."""
        try:
            options = to_js({"recursive": True}, dict_converter=js.Object.fromEntries)
            await self._observer.observe(handle, options)
        except JsException:
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(JsException):
            self._observer.disconnect()
        self._callback.destroy()


def _path(components: Any) -> str:
    return "/".join(str(part) for part in components)


async def watching(handle: Any) -> FolderObserver | None:
    """An observer of ``handle`` and everything in it; None where the browser has none (or
    refuses this folder), for the caller to poll."""
    if not hasattr(js, "FileSystemObserver"):
        return None
    observer = FolderObserver()
    if await observer.observe(handle):
        return observer
    observer.close()
    return None
