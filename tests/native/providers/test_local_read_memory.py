"""The local provider reads a big file holding one block at a time, not two.

Counted with tracemalloc (which sees the worker threads' allocations too), not timed: a copy
in parts to S3 runs one such read per stream beside its part buffers, and a block kept alive
across the next read cost 1 MiB per stream at the peak (docs/sync.md, "Peak RSS").
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.local.reading import CHUNK, hash_file

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
