"""The buffers that hold the parts of a copy in parts while S3 takes them (``write_part``).

A part is held whole: S3 takes it in one request with its length, and a request cut mid-body
by a slow source fails the whole upload on some stores (docs/sync.md, "Peak RSS"). So every
part being filled or sent costs its size in memory. Two things bound that:

- each part takes one of the provider's upload slots (``upload_concurrency``) for as long as it
  is held, the same slots the multipart writes of smaller files take (``upload.py``): without
  them, four files in parts of four streams each held sixteen parts at once;
- a buffer is lent again for the next part instead of a new one being allocated: peak RSS of
  one 256 MiB copy (4 streams of 8 MiB parts), median of four alternating pairs, 126 MB
  against 130.5 MB. The likely cause: freeing an 8 MiB buffer per part lets glibc raise its
  mmap threshold, so later blocks come from a heap that keeps what was freed. All buffers
  are let go once no part is held;
- the bytes of the parts held at once stay within the remote's ``part_memory`` (24 MiB: three
  parts of 8 MiB while the engine runs four streams), the fourth stream waiting for a part to
  be sent before it reads its own. Measured by bench/sync_big_file_s3.py: see docs/sync.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager


class PartBuffers:
    def __init__(self) -> None:
        self._free: list[bytearray] = []
        self._lent = 0

    @property
    def held(self) -> int:
        """Buffers lent out now plus those kept for the next part."""
        return self._lent + len(self._free)

    @contextmanager
    def lend(self, size: int) -> Iterator[bytearray]:
        """A buffer of exactly ``size`` bytes (its content is whatever it last held)."""
        found = next((i for i, kept in enumerate(self._free) if len(kept) == size), None)
        buffer = bytearray(size) if found is None else self._free.pop(found)
        self._lent += 1
        try:
            yield buffer
        finally:
            self._lent -= 1
            # Never more kept than parts still held (so none once idle); the latest first,
            # as the next part most likely has its size.
            self._free.insert(0, buffer)
            del self._free[self._lent :]


class PartBytesGate:
    """At most ``budget`` bytes of parts held at once; a part larger than the budget is let
    through alone. Letting go never waits (nothing to cancel on the way out of a failed part):
    it wakes every waiter, and each checks again whether its part fits."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._held = 0
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def held(self) -> int:
        return self._held

    @asynccontextmanager
    async def hold(self, size: int) -> AsyncIterator[None]:
        while not (self._held == 0 or self._held + size <= self._budget):
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                self._waiters.remove(waiter)
        self._held += size
        try:
            yield
        finally:
            self._held -= size
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_result(None)
