"""A pair's bisync state, journal and remembered digests in the origin-private file system
(the engine's PairStore).

Each file is replaced through ``createWritable``, which the browser swaps in atomically on
``close()``; the browser gives no fsync, so "durable" means "committed by the browser". The
journal has no append in this API, so appends rewrite it (it holds one record per action, a
few kilobytes for thousands of files).
"""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide_web.platform.opfs import META_FOLDER, opfs_root


def _options(**values: Any) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


class OpfsPairStore:
    def __init__(self, pair_id: str) -> None:
        self._pair_id = pair_id
        self._journal_cache: bytes | None = None

    async def _folder(self) -> Any:
        meta = await (await opfs_root()).getDirectoryHandle(META_FOLDER, _options(create=True))
        pairs = await meta.getDirectoryHandle("pairs", _options(create=True))
        return await pairs.getDirectoryHandle(self._pair_id, _options(create=True))

    async def _load(self, name: str) -> bytes | None:
        try:
            handle = await (await self._folder()).getFileHandle(name)
        except JsException:
            return None
        return bytes((await (await handle.getFile()).arrayBuffer()).to_bytes())

    async def _save(self, name: str, blob: bytes) -> None:
        handle = await (await self._folder()).getFileHandle(name, _options(create=True))
        writable = await handle.createWritable()
        await writable.write(to_js(blob))
        await writable.close()

    async def _remove(self, name: str) -> None:
        try:
            await (await self._folder()).removeEntry(name)
        except JsException:
            return

    async def load_state(self) -> bytes | None:
        return await self._load("state")

    async def save_state(self, blob: bytes) -> None:
        await self._save("state", blob)

    async def load_journal(self) -> bytes | None:
        self._journal_cache = await self._load("journal")
        return self._journal_cache

    async def start_journal(self, blob: bytes) -> None:
        await self._save("journal", blob)
        self._journal_cache = blob

    async def append_journal(self, blob: bytes, *, durable: bool) -> None:
        self._journal_cache = (self._journal_cache or b"") + blob
        await self._save("journal", self._journal_cache)

    async def clear_journal(self) -> None:
        self._journal_cache = None
        await self._remove("journal")

    async def load_digests(self) -> bytes | None:
        return await self._load("digests")

    async def save_digests(self, blob: bytes) -> None:
        await self._save("digests", blob)
