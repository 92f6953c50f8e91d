"""Streaming bytes between Python and the browser's files without holding a file in memory.

``BlobReader`` turns a ``Blob``/``File`` into an async ``read(n)`` with 1 MiB read-ahead (each
``arrayBuffer()`` is a Promise round trip, so many small reads would be slow). ``WritableSink``
buffers writes to a ``FileSystemWritableFileStream`` (OPFS or a save dialog) the same way;
nothing is visible under the final name until ``close()``, and ``abort()`` discards it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyodide.ffi import to_js

READ_AHEAD = 1 << 20
WRITE_BUFFER = 1 << 20

Progress = Callable[[int], None]


class BlobReader:
    def __init__(self, blob: Any, progress: Progress | None = None) -> None:
        self._blob = blob
        self.size = int(blob.size)
        self._position = 0
        self._buffer = b""
        self._progress = progress

    async def read(self, count: int) -> bytes:
        if not self._buffer and self._position < self.size:
            end = min(self.size, self._position + max(count, READ_AHEAD))
            piece = await self._blob.slice(self._position, end).arrayBuffer()
            self._buffer = piece.to_bytes()
            self._position = end
            if self._progress is not None:
                self._progress(self._position)
        taken, self._buffer = self._buffer[:count], self._buffer[count:]
        return taken


class WritableSink:
    def __init__(self, writable: Any) -> None:
        self._writable = writable
        self._pending: list[bytes] = []
        self._pending_size = 0
        self.written = 0

    async def write(self, data: bytes) -> None:
        self._pending.append(data)
        self._pending_size += len(data)
        self.written += len(data)
        if self._pending_size >= WRITE_BUFFER:
            await self._flush()

    async def _flush(self) -> None:
        if self._pending:
            await self._writable.write(to_js(b"".join(self._pending)))
            self._pending, self._pending_size = [], 0

    async def close(self) -> None:
        await self._flush()
        await self._writable.close()

    async def abort(self) -> None:
        self._pending, self._pending_size = [], 0
        await self._writable.abort()
