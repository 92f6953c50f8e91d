"""A byte-limited LRU cache of file blocks, and the reader that fills it with read-ahead.

A file is read in fixed blocks (``block_size``), each one ranged ``open_read`` of the
provider. Blocks are keyed by the file's path, size and mtime, so a file that changed at the
remote never mixes old and new bytes. When reads run sequentially, the next ``read_ahead``
blocks are fetched concurrently in the background, which hides the provider's per-request
latency; random reads fetch only what they touch.

``read`` runs on the event loop. ``cached_read`` serves a read whose blocks are all cached
from libfuse's own thread, without the hop to the loop and back: the kernel asks 128 KiB at a
time (its read-ahead ceiling for FUSE), so a sequential reader makes thousands of such reads,
and each hop waited on the busy loop thread. The cache takes a lock for that reason.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass

from syncoxide.providers.contract import Entry, Provider

BlockKey = tuple[str, int, int, int]  # path, size, mtime_ns, block index


class BlockCache:
    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.used_bytes = 0
        self._blocks: OrderedDict[BlockKey, bytes] = OrderedDict()
        self._lock = threading.Lock()  # libfuse's threads read while the loop fills

    def get(self, key: BlockKey) -> bytes | None:
        with self._lock:
            block = self._blocks.get(key)
            if block is not None:
                self._blocks.move_to_end(key)
            return block

    def put(self, key: BlockKey, block: bytes) -> None:
        with self._lock:
            if key in self._blocks:
                return
            self._blocks[key] = block
            self.used_bytes += len(block)
            while self.used_bytes > self.limit_bytes and self._blocks:
                _, evicted = self._blocks.popitem(last=False)
                self.used_bytes -= len(evicted)


@dataclass(frozen=True)
class ReadTuning:
    block_size: int = 4 << 20
    read_ahead: int = 4  # blocks fetched ahead of a sequential reader
    cache_bytes: int = 256 << 20


class BlockReader:
    def __init__(self, provider: Provider, tuning: ReadTuning) -> None:
        self._provider = provider
        self._tuning = tuning
        self.cache = BlockCache(tuning.cache_bytes)
        self._fetching: dict[BlockKey, asyncio.Task[bytes]] = {}
        self._read_until: dict[str, int] = {}  # where each file's last read ended
        self._loop: asyncio.AbstractEventLoop | None = None  # set by the first ``read``

    async def read(self, entry: Entry, offset: int, size: int) -> bytes:
        self._loop = asyncio.get_running_loop()
        end = min(offset + size, entry.size)
        if offset >= end:
            return b""
        if self._follows(entry, offset, end):
            self._read_ahead(entry, end)
        block = self._tuning.block_size
        parts = [
            _slice(await self._block(entry, index), index * block, offset, end)
            for index in range(offset // block, (end - 1) // block + 1)
        ]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def cached_read(self, entry: Entry, offset: int, size: int) -> bytes | None:
        """The bytes when every block the read touches is cached, else None (then ``read``
        on the loop). Any thread; read-ahead is still started, on the loop."""
        end = min(offset + size, entry.size)
        if offset >= end or self._loop is None:
            return None
        block = self._tuning.block_size
        parts = []
        for index in range(offset // block, (end - 1) // block + 1):
            data = self.cache.get(self._key(entry, index))
            if data is None:
                return None
            parts.append(_slice(data, index * block, offset, end))
        if self._follows(entry, offset, end):
            self._loop.call_soon_threadsafe(self._read_ahead, entry, end)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _follows(self, entry: Entry, offset: int, end: int) -> bool:
        """Whether this read starts where the file's last one ended (a sequential reader)."""
        sequential = self._read_until.get(entry.path) == offset
        self._read_until[entry.path] = end
        return sequential

    def _read_ahead(self, entry: Entry, end: int) -> None:
        block = self._tuning.block_size
        after = (end - 1) // block + 1
        for ahead in range(after, after + self._tuning.read_ahead):
            if ahead * block < entry.size:
                self._start(entry, ahead)

    def _key(self, entry: Entry, index: int) -> BlockKey:
        return (entry.path, entry.size, entry.mtime_ns, index)

    def _start(self, entry: Entry, index: int) -> asyncio.Task[bytes] | None:
        key = self._key(entry, index)
        if self.cache.get(key) is not None:
            return None
        task = self._fetching.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch(entry, index))
            self._fetching[key] = task
            task.add_done_callback(lambda _: self._fetching.pop(key, None))
        return task

    async def _block(self, entry: Entry, index: int) -> bytes:
        cached = self.cache.get(self._key(entry, index))
        if cached is not None:
            return cached
        task = self._start(entry, index)
        if task is None:  # filled between the two lookups
            return self.cache.get(self._key(entry, index)) or b""
        return await asyncio.shield(task)

    async def _fetch(self, entry: Entry, index: int) -> bytes:
        block = self._tuning.block_size
        length = min(block, entry.size - index * block)
        chunks = [c async for c in self._provider.open_read(entry.path, index * block, length)]
        data = b"".join(chunks)
        self.cache.put(self._key(entry, index), data)
        return data


def _slice(data: bytes, block_start: int, offset: int, end: int) -> bytes:
    """The part of one block a read covers. Sliced before joining: the kernel reads 128 KiB
    at a time, and copying a whole 4 MiB block per read cost a quarter of the sequential speed."""
    return data[max(offset - block_start, 0) : end - block_start]
