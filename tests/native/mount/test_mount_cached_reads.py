"""Reads whose blocks are cached are answered on libfuse's thread, without the event loop.

The loop runs in its own thread as in ``syncoxide mount``; the test thread stands in for
libfuse's. The bytes, the read-ahead such a read still starts, and the cases that must go to
the loop (a stale listing, an unfetched block) are checked against a memory provider.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncoxide.native.mount.blocks import ReadTuning
from syncoxide.native.mount.filesystem import RemoteFileSystem
from syncoxide.native.mount.fuse_ops import LoopThread
from syncoxide.providers.contract import chunks_of
from syncoxide.providers.memory import MemoryProvider

BLOCK = 1 << 20
READ = 128 << 10
DATA = os.urandom(8 * BLOCK + 12345)


@pytest.fixture
def loop() -> Iterator[LoopThread]:
    running = LoopThread()
    yield running
    running.run(settled())  # read-ahead still fetching finishes before the loop stops
    running.stop()


async def settled() -> None:
    await asyncio.gather(*(asyncio.all_tasks() - {asyncio.current_task()}))


def mounted_fs(loop: LoopThread, tmp_path: Path) -> RemoteFileSystem:
    provider = MemoryProvider()
    loop.run(provider.write("big.bin", chunks_of(DATA)))
    tuning = ReadTuning(block_size=BLOCK, read_ahead=2, cache_bytes=64 * BLOCK)
    return RemoteFileSystem(provider, spill_folder=tmp_path, read_only=True, tuning=tuning)


def block_cached(fs: RemoteFileSystem, index: int) -> bool:
    return fs.cached_read("/big.bin", 1, index * BLOCK, 0) is not None


def test_a_cached_block_is_read_without_the_loop(loop: LoopThread, tmp_path: Path) -> None:
    fs = mounted_fs(loop, tmp_path)
    assert fs.cached_read("/big.bin", READ, 0, 0) is None  # nothing listed or fetched yet
    assert loop.run(fs.read("/big.bin", READ, 0, 0)) == DATA[:READ]
    assert fs.cached_read("/big.bin", READ, READ, 0) == DATA[READ : 2 * READ]
    assert fs.cached_read("/big.bin", READ, BLOCK - 100, 0) is None  # block 1 not fetched
    assert fs.cached_read("/big.bin", READ, 3 * BLOCK, 0) is None


def test_a_sequential_cached_read_still_reads_ahead(loop: LoopThread, tmp_path: Path) -> None:
    fs = mounted_fs(loop, tmp_path)
    loop.run(fs.read("/big.bin", READ, 0, 0))  # the first read: not known to be sequential
    assert not block_cached(fs, 1)
    assert fs.cached_read("/big.bin", READ, READ, 0) is not None  # follows on: read ahead
    deadline = time.monotonic() + 10
    while not (block_cached(fs, 1) and block_cached(fs, 2)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert block_cached(fs, 1)
    assert block_cached(fs, 2)
    assert not block_cached(fs, 3)


def test_the_last_short_read_and_reads_past_the_end(loop: LoopThread, tmp_path: Path) -> None:
    fs = mounted_fs(loop, tmp_path)
    tail = len(DATA) - 1000
    assert loop.run(fs.read("/big.bin", READ, tail, 0)) == DATA[tail:]
    assert fs.cached_read("/big.bin", READ, tail + 10, 0) == DATA[tail + 10 :]
    assert fs.cached_read("/big.bin", READ, len(DATA), 0) is None  # the loop answers b""


def test_a_changed_listing_goes_back_to_the_loop(loop: LoopThread, tmp_path: Path) -> None:
    fs = mounted_fs(loop, tmp_path)
    loop.run(fs.read("/big.bin", READ, 0, 0))
    fs.listing_changed()  # the remote changed: the file may have too
    assert fs.cached_read("/big.bin", READ, 0, 0) is None
    assert fs.cached_read("/missing.bin", READ, 0, 0) is None
