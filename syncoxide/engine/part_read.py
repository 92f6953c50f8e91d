"""The bytes of one part of a copy in parts, hashed as they pass (``FillsBuffers``).

A destination that holds each part whole (S3: a part goes out in one request of known
length) calls ``fill`` with its part buffer: a source that ``ReadsInto`` (a local disk) reads
the range straight into it, and the part is hashed there in one call in a worker thread.
Before, each 1 MiB block was allocated by the source, hashed on the event loop, and copied
into the buffer: one block more per stream at the peak, one more copy of every byte, and the
hash of every part on the loop's thread. Other destinations iterate the chunks as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from syncoxide.providers.contract import Provider, ReadsInto


class PartRead:
    def __init__(self, source: Provider, path: str, span: tuple[int, int], hasher: Any) -> None:
        self._source, self._path = source, path
        self._offset, self._length = span
        self._hasher = hasher
        #: Bytes the source gave so far (the engine compares it with the part's length).
        self.count = 0
        self._iterator: AsyncIterator[bytes] | None = None
        self._filled = False

    def __aiter__(self) -> PartRead:
        return self

    async def __anext__(self) -> bytes:
        if self._iterator is None:
            self._iterator = self._chunks()
        return await anext(self._iterator)

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._source.open_read(self._path, self._offset, self._length):
            self.count += len(chunk)
            self._hasher.update(chunk)
            yield chunk
            del chunk  # not held while the next one is read (one block per stream)

    async def fill(self, buffer: bytearray) -> int:
        view = memoryview(buffer)
        if isinstance(self._source, ReadsInto) and len(buffer) == self._length:
            got = await self._source.read_into(self._path, self._offset, view)
        else:
            got = await self._copied_into(view)
            if got > len(view):  # the source gave more than the part: it changed
                self.count = got
                return got
        # hashlib lets go of the GIL for a big buffer: the loop runs on meanwhile.
        await asyncio.to_thread(self._hasher.update, view[:got])
        self.count = got
        self._filled = True
        return got

    def filled_digest(self, kind: str) -> bytes | None:
        if not self._filled or self._hasher.name != kind:
            return None
        digest: bytes = self._hasher.digest()  # not final: the engine reads it again after
        return digest

    async def _copied_into(self, view: memoryview) -> int:
        """Copies the chunks into ``view`` unhashed (``fill`` hashes what it kept); the count
        the source gave, which may exceed ``len(view)`` (the excess is dropped, never kept)."""
        filled, room = 0, len(view)
        async for chunk in self._source.open_read(self._path, self._offset, self._length):
            end = filled + len(chunk)
            if end <= room:
                view[filled:end] = chunk
            elif filled < room:
                view[filled:] = memoryview(chunk)[: room - filled]
            filled = end
            del chunk
        return filled
