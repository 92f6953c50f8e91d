"""A failed worker stops its siblings before the caller goes on: the file copies of a run and
the digest workers of --checksum leave nothing running (they shared providers the run closes
as it ends, and went on using them)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from syncoxide.engine.listing_io import add_digests
from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, run_pair
from syncoxide.engine.side_by_side import gather_or_cancel
from syncoxide.errors import NotFoundError
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.providers.contract import Entry
from syncoxide.providers.memory import MemoryProvider
from syncoxide.sync.plan import Mode

NAMES = [f"f{n}.txt" for n in range(12)]


class Busy:
    """Counts work in progress and work begun after the first failure."""

    def __init__(self) -> None:
        self.running = 0
        self.begun_after_failure = 0
        self.failed = False

    async def slow(self) -> None:
        self.begun_after_failure += self.failed
        self.running += 1
        try:
            await asyncio.sleep(0.2)
        finally:
            self.running -= 1

    def fail(self) -> None:
        self.failed = True


class BrokenDisk(MemoryProvider):
    """Writes slowly; the write of ``f3.txt`` breaks with an error no provider translated."""

    def __init__(self) -> None:
        super().__init__("dest")
        self.busy = Busy()

    async def write(self, path: str, chunks: AsyncIterator[bytes], **options: Any) -> Entry:
        if path == "f3.txt":
            self.busy.fail()
            raise RuntimeError("the disk broke")
        await self.busy.slow()
        return await super().write(path, chunks, **options)


class VanishingFiles(MemoryProvider):
    """Hashes slowly; ``f3.txt`` is gone by the time it is hashed."""

    def __init__(self) -> None:
        super().__init__("source")
        self.busy = Busy()

    async def hash(self, path: str, kind: str) -> str:
        if path == "f3.txt":
            self.busy.fail()
            raise NotFoundError(f"{path} is gone")
        await self.busy.slow()
        return await super().hash(path, kind)


async def _after(busy: Busy) -> tuple[int, int]:
    """Work still running when the caller got the failure, and work begun in the 0.5 s after
    (what an orphaned worker would do meanwhile)."""
    running, begun = busy.running, busy.begun_after_failure
    await asyncio.sleep(0.5)
    return running, busy.begun_after_failure - begun


def test_a_failed_copy_stops_the_other_copies_before_the_run_ends() -> None:
    source, dest = MemoryProvider("source"), BrokenDisk()
    for name in NAMES:
        source.put(name, name.encode() * 10, mtime_ns=1_700_000_000 * 10**9)

    async def go() -> tuple[int, int]:
        with pytest.raises(RuntimeError, match="the disk broke"):
            await run_pair(
                source,
                dest,
                MemoryPairStore(),
                RunOptions(Mode.SYNC, transfers=4),
                clock=FixedClock(1_700_000_000.0),
                random=SeededRandom(b"stop"),
            )
        return await _after(dest.busy)

    assert asyncio.run(go()) == (0, 0)
    assert dest.busy.failed


def test_a_failed_digest_stops_the_other_digest_workers() -> None:
    source = VanishingFiles()
    for name in NAMES:
        source.put(name, name.encode())

    async def go() -> tuple[int, int]:
        listed = [e async for page in source.list_tree() for e in page]
        files = {entry.path: entry for entry in listed}
        with pytest.raises(NotFoundError):
            await add_digests(source, files, set(files), "sha1", width=4)
        return await _after(source.busy)

    assert asyncio.run(go()) == (0, 0)
    assert source.busy.failed


def test_gather_or_cancel_answers_as_gather_when_nothing_fails() -> None:
    async def twice(n: int) -> int:
        await asyncio.sleep(0)
        return 2 * n

    assert asyncio.run(gather_or_cancel(*(twice(n) for n in range(5)))) == [0, 2, 4, 6, 8]


def test_gather_or_cancel_stops_the_rest_when_its_caller_is_cancelled() -> None:
    busy = Busy()

    async def go() -> int:
        slow = [busy.slow() for _ in range(3)]
        waiting: asyncio.Task[list[None]] = asyncio.create_task(gather_or_cancel(*slow))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        return busy.running

    assert asyncio.run(go()) == 0
