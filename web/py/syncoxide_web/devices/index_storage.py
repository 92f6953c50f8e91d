"""Where the browser keeps a synced folder's index: its snapshot and journal in IndexedDB.

The bytes are the CLI's (``syncoxide/devices/index_journal.py``), kept by the core's
``IndexKeeper``; this is only its ``IndexStorage``. IndexedDB, not an OPFS file, because OPFS
cannot append from the page: ``createWritable({keepExistingData: true})`` copies the whole file
aside before each write, so every save would cost the journal's size again. Each append is its
own value instead, written in one transaction::

    database "syncoxide-device-index", object store "parts", string keys:
    "<folder key>/snapshot"             the snapshot (Uint8Array), replaced whole
    "<folder key>/journal/<n:010d>"     the journal's n-th piece: piece 0 is the SXIJ header,
                                        each next one the records of one save

Read back in key order and joined, the pieces are the journal the CLI would hold in one file.
A transaction is all or nothing, so a tab closed mid-save loses that save only (and a damaged
last piece is cut off on loading, as a torn record is on the CLI). Writes ask for strict
durability: a save is on disk before the folder announces what it changed.

Folders indexed before the journal kept their index whole in one OPFS file
(``.syncoxide-meta/device-index-<key>.json``); it is read as a snapshot of generation 0 until
the first compaction writes one here, and then removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import to_js

from syncoxide_web.platform.indexed_db import committed, finished, object_store
from syncoxide_web.platform.opfs import OpfsTextFile

DATABASE = "syncoxide-device-index"
STORE = "parts"
PIECE_DIGITS = 10


class IndexedDbIndexStorage:
    def __init__(self, folder_key: str, whole_index: OpfsTextFile) -> None:
        self._snapshot_key = f"{folder_key}/snapshot"
        self._journal_prefix = f"{folder_key}/journal/"
        self._whole_index = whole_index  # the index as saved before the journal, if any
        self._next_piece: int | None = None

    async def load(self) -> tuple[bytes | None, bytes | None]:
        # One read per transaction: a transaction ends once no request of it is pending, so a
        # second request made after awaiting the first would find it finished. Only the one
        # syncing tab writes these keys, so the two reads see the same state.
        snapshot = await finished((await self._read_only()).get(self._snapshot_key))
        pieces = list(await finished((await self._read_only()).getAll(self._journal_range())))
        self._next_piece = len(pieces)
        journal = b"".join(piece.to_bytes() for piece in pieces) if pieces else None
        if snapshot is not None:
            return snapshot.to_bytes(), journal
        whole = await self._whole_index.load()
        return (None if whole is None else whole.encode()), journal

    async def replace_snapshot(self, data: bytes) -> None:
        await self._write(lambda store: store.put(to_js(data), self._snapshot_key))
        await self._whole_index.remove()  # the snapshot here holds it now

    async def replace_journal(self, data: bytes) -> None:
        def replace(store: Any) -> None:
            store.delete(self._journal_range())
            store.put(to_js(data), self._piece_key(0))

        await self._write(replace)
        self._next_piece = 1

    async def append_journal(self, data: bytes) -> None:
        if self._next_piece is None:
            store = await self._read_only()
            self._next_piece = int(await finished(store.count(self._journal_range())))
        piece = self._next_piece
        await self._write(lambda store: store.put(to_js(data), self._piece_key(piece)))
        self._next_piece = piece + 1

    async def _read_only(self) -> Any:
        return await object_store(DATABASE, STORE, "readonly")

    async def _write(self, requests: Callable[[Any], object]) -> None:
        store = await object_store(DATABASE, STORE, "readwrite", strict=True)
        done = committed(store.transaction)  # watched before the commit can happen
        requests(store)
        await done

    def _piece_key(self, number: int) -> str:
        return f"{self._journal_prefix}{number:0{PIECE_DIGITS}d}"

    def _journal_range(self) -> Any:
        # Every piece key is the prefix and digits, so "~" (after the digits) bounds them all.
        return js.IDBKeyRange.bound(self._journal_prefix, self._journal_prefix + "~")


__all__ = ["IndexedDbIndexStorage"]
