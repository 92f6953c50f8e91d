"""Modification times for storage the browser will not let us set them on.

The File System Access API and OPFS stamp every write with "now" and offer no way to change
it, so a synced file would look modified on every run. We keep the time the file *should*
have, beside what the browser reports for it: ``path -> (size, observed lastModified ms,
wanted mtime ns)``. The wanted time is believed only while size and observed time still match,
so an edit made outside the app (in a picked folder) is seen as a change, as it should be.

The index lives in the origin-private file system, outside the synced tree, so a folder the
user picked stays exactly as they left it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class MtimeRecord:
    size: int
    observed_ms: int
    mtime_ns: int


class IndexStorage(Protocol):
    async def load(self) -> str | None: ...

    async def save(self, text: str) -> None: ...


class MtimeIndex:
    SAVE_DELAY_SECONDS = 0.2  # coalesces a burst of writes into one save

    def __init__(self, storage: IndexStorage | None) -> None:
        self._storage = storage
        self._records: dict[str, MtimeRecord] = {}
        self._pending: asyncio.Future[Any] | None = None

    async def load(self) -> None:
        text = await self._storage.load() if self._storage else None
        if text:
            raw = json.loads(text)
            self._records = {path: MtimeRecord(*values) for path, values in raw.items()}

    def wanted_mtime(self, path: str, size: int, observed_ms: int) -> int:
        record = self._records.get(path)
        if record and record.size == size and record.observed_ms == observed_ms:
            return record.mtime_ns
        return observed_ms * 1_000_000

    def remember(self, path: str, size: int, observed_ms: int, mtime_ns: int) -> None:
        self._records[path] = MtimeRecord(size, observed_ms, mtime_ns)
        self._schedule_save()

    def forget(self, path: str) -> None:
        prefix = path + "/"
        for key in [k for k in self._records if k == path or k.startswith(prefix)]:
            del self._records[key]
        self._schedule_save()

    def rename(self, source: str, target: str) -> None:
        prefix = source + "/"
        for key in [k for k in self._records if k == source or k.startswith(prefix)]:
            self._records[target + key[len(source) :]] = self._records.pop(key)
        self._schedule_save()

    def _schedule_save(self) -> None:
        if self._storage is not None and self._pending is None:
            self._pending = asyncio.ensure_future(self._save_soon())

    async def _save_soon(self) -> None:
        await asyncio.sleep(self.SAVE_DELAY_SECONDS)
        await self.flush()

    async def flush(self) -> None:
        self._pending = None
        if self._storage is not None:
            payload = {
                path: [r.size, r.observed_ms, r.mtime_ns] for path, r in self._records.items()
            }
            await self._storage.save(json.dumps(payload, separators=(",", ":")))
