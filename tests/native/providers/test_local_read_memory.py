"""The local provider reads a big file holding one block at a time, not two, and a part of a
copy in parts straight into the destination's buffer.

Counted with tracemalloc (which sees the worker threads' allocations too), not timed: a copy
in parts to S3 runs one such read per stream beside its part buffers, and a block kept alive
across the next read cost 1 MiB per stream at the peak (docs/sync.md, "Peak RSS").
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import cast

import pytest

from syncoxide.engine.part_read import PartRead
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.local.reading import CHUNK, hash_file
from syncoxide.providers.contract import Provider

SIZE = 6 * CHUNK + 123
OFFSET = CHUNK // 3
#: One block plus room for the interpreter's own bookkeeping; two blocks exceed it.
ONE_BLOCK_PEAK = CHUNK + CHUNK // 2


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(random.Random(7).randbytes(SIZE))
    return path


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def _peak_since_reset() -> int:
    return tracemalloc.get_traced_memory()[1]


def test_a_read_lets_go_of_each_block_before_the_next(big: Path, traced: None) -> None:
    provider = LocalProvider(big.parent)

    digest = hashlib.md5(usedforsecurity=False)

    async def read_all() -> int:
        count = 0
        async for block in provider.open_read("big.bin", OFFSET, SIZE - OFFSET):
            count += len(block)
            digest.update(block)
            del block  # the consumer lets go, as a copy in parts does
        return count

    async def measured() -> tuple[int, int]:
        # The event loop's own start-up allocations are kept out of the peak.
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        count = await read_all()
        return count, _peak_since_reset() - before

    count, peak = asyncio.run(measured())
    assert count == SIZE - OFFSET
    want = hashlib.md5(big.read_bytes()[OFFSET:], usedforsecurity=False).hexdigest()
    assert digest.hexdigest() == want
    assert peak < ONE_BLOCK_PEAK, f"{peak} bytes held at once while reading"


def test_hash_file_holds_one_block(big: Path, traced: None) -> None:
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    got = hash_file(str(big), "sha1")
    peak = _peak_since_reset() - before
    assert got == hashlib.sha1(big.read_bytes(), usedforsecurity=False).hexdigest()
    assert peak < ONE_BLOCK_PEAK, f"{peak} bytes held at once while hashing"


def test_read_into_fills_a_range_and_stops_at_the_end(big: Path) -> None:
    provider = LocalProvider(big.parent)
    data = big.read_bytes()
    buffer = bytearray(2 * CHUNK)
    got = asyncio.run(provider.read_into("big.bin", OFFSET, memoryview(buffer)))
    assert got == len(buffer) and buffer == data[OFFSET : OFFSET + len(buffer)]
    tail = bytearray(CHUNK)
    got = asyncio.run(provider.read_into("big.bin", SIZE - 100, memoryview(tail)))
    assert got == 100 and tail[:100] == data[-100:]


def test_a_part_fills_its_buffer_straight_from_the_file(big: Path, traced: None) -> None:
    """No block of the source's own: the part's bytes are read into the destination's buffer
    and hashed there (engine/part_read.py)."""
    provider = LocalProvider(big.parent)
    length = 5 * CHUNK
    buffer = bytearray(length)
    hasher = hashlib.md5(usedforsecurity=False)
    part = PartRead(provider, "big.bin", (OFFSET, length), hasher)

    async def measured() -> tuple[int, int]:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        got = await part.fill(buffer)
        return got, _peak_since_reset() - before

    got, peak = asyncio.run(measured())
    want = big.read_bytes()[OFFSET : OFFSET + length]
    assert got == part.count == length and buffer == want
    assert hasher.hexdigest() == hashlib.md5(want, usedforsecurity=False).hexdigest()
    assert peak < CHUNK // 4, f"{peak} bytes allocated to fill a part in place"


class _ChunksOnly:
    """A source that can only stream (as a remote one): ``fill`` copies its chunks."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        end = len(self._data) if length is None else offset + length
        for start in range(offset, end, 1000):
            yield self._data[start : min(end, start + 1000)]


@pytest.mark.parametrize(("given", "count"), [(4500, 4500), (5200, 5200), (3000, 3000)])
def test_a_streamed_part_fills_and_reports_what_the_source_gave(given: int, count: int) -> None:
    """A source giving more or fewer bytes than the part is reported by its count (the
    destination then refuses the part), and the buffer never takes more than its length."""
    data = random.Random(3).randbytes(10_000)
    source = cast(Provider, _ChunksOnly(data))
    buffer = bytearray(4500)
    hasher = hashlib.sha1(usedforsecurity=False)
    got = asyncio.run(PartRead(source, "x", (100, given), hasher).fill(buffer))
    assert got == count
    kept = min(given, 4500)
    assert buffer[:kept] == data[100 : 100 + kept]
    if given <= 4500:
        assert hasher.hexdigest() == hashlib.sha1(data[100 : 100 + given]).hexdigest()
