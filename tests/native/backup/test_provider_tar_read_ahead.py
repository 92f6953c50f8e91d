"""A provider's files as a tar stream: small files are read ahead, in a bounded window, and the
stream still comes out in order, byte for byte; stopping early leaves no read running."""

from __future__ import annotations

import asyncio
import io
import random
import tarfile
from collections.abc import AsyncIterator

import pytest

from syncoxide.errors import IntegrityError
from syncoxide.native.backup.provider_tar import (
    READ_AHEAD_BYTES,
    READ_AHEAD_FILES,
    READ_AHEAD_SIZE,
    TarTally,
    provider_tar,
)
from syncoxide.providers.contract import chunks_of
from syncoxide.providers.memory import MemoryProvider


class SlowStore(MemoryProvider):
    """A store whose reads take a while, counting how many run at once (as a remote would)."""

    def __init__(self) -> None:
        super().__init__(chunk_size=16 * 1024)
        self.running = self.most = self.started = 0

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        self.running += 1
        self.started += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(0.01)
            async for chunk in super().open_read(path, offset, length):
                yield chunk
        finally:
            self.running -= 1


async def _filled(store: SlowStore, files: dict[str, bytes]) -> None:
    for path, content in files.items():
        await store.write(path, chunks_of(content), mtime_ns=1_700_000_000 * 10**9)


def _files() -> dict[str, bytes]:
    chance = random.Random(5)
    files = {
        f"d{i % 4}/f{i:03d}.bin": chance.randbytes(chance.randint(0, 70_000)) for i in range(40)
    }
    files["d1/big.bin"] = chance.randbytes(READ_AHEAD_SIZE + 12_345)  # streamed in its turn
    return files


def test_small_files_are_read_ahead_and_the_tar_is_in_order_byte_for_byte() -> None:
    files = _files()

    async def scenario() -> tuple[bytes, SlowStore, TarTally]:
        store = SlowStore()
        await _filled(store, files)
        tally = TarTally()
        stream = b"".join([chunk async for chunk in provider_tar(store, tally)])
        return stream, store, tally

    stream, store, tally = asyncio.run(scenario())
    with tarfile.open(fileobj=io.BytesIO(stream)) as archive:
        members = archive.getmembers()
        read = {m.name: archive.extractfile(m).read() for m in members if m.isfile()}  # type: ignore[union-attr]
    assert read == files
    names = [m.name for m in members]
    assert names == sorted(names)  # the listing's order, folders before their files
    assert tally.files == len(files) and tally.bytes == sum(map(len, files.values()))
    assert 1 < store.most <= READ_AHEAD_FILES + 1  # the window, plus the big file streaming
    assert store.running == 0


def test_files_read_ahead_hold_no_more_than_the_byte_budget() -> None:
    size = READ_AHEAD_SIZE  # the largest file read ahead; 20 of them exceed the budget
    files = {f"m/f{i:02d}.bin": bytes([i]) * size for i in range(20)}

    async def scenario() -> tuple[bytes, SlowStore]:
        store = SlowStore()
        await _filled(store, files)
        return b"".join([chunk async for chunk in provider_tar(store)]), store

    stream, store = asyncio.run(scenario())
    assert _members(stream) == files
    assert READ_AHEAD_BYTES // size < READ_AHEAD_FILES  # else this test shows nothing
    assert 1 < store.most <= READ_AHEAD_BYTES // size


def _members(stream: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(stream)) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive if m.isfile()}  # type: ignore[union-attr]


def test_small_files_that_changed_or_vanished_since_the_listing_are_skipped() -> None:
    async def scenario() -> tuple[bytes, TarTally, SlowStore]:
        store = SlowStore()
        files = {"a/one.bin": b"1" * 100, "a/two.bin": b"2" * 100, "a/three.bin": b"3" * 100}
        await _filled(store, files)
        tally = TarTally()
        stream = provider_tar(store, tally)
        first = await anext(stream)  # the folder "a": no file read yet
        await store.write("a/two.bin", chunks_of(b"2" * 101))  # grows before its read
        await store.delete("a/three.bin")
        return first + b"".join([chunk async for chunk in stream]), tally, store

    stream, tally, store = asyncio.run(scenario())
    assert _members(stream) == {"a/one.bin": b"1" * 100}  # a whole, valid archive of the rest
    assert sorted(tally.skipped) == ["a/three.bin", "a/two.bin"]
    assert tally.files == 1 and store.running == 0


def test_a_big_file_changed_since_the_listing_goes_in_as_it_is_now() -> None:
    big = b"B" * (READ_AHEAD_SIZE + 10)

    async def scenario() -> tuple[bytes, TarTally]:
        store = SlowStore()
        await _filled(store, {"big.bin": big, "z.txt": b"z"})
        tally = TarTally()
        stream = provider_tar(store, tally)
        await store.write("big.bin", chunks_of(big + b"more"))  # between the listing and its read
        return b"".join([chunk async for chunk in stream]), tally

    stream, tally = asyncio.run(scenario())
    assert _members(stream) == {"big.bin": big + b"more", "z.txt": b"z"}
    assert tally.skipped == [] and tally.bytes == len(big) + 4 + 1


class ChangingStore(SlowStore):
    """A store whose big file grows while it is being read."""

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        async for chunk in super().open_read(path, offset, length):
            yield chunk
        if path == "big.bin":
            yield b"appended while read"


def test_a_big_file_changing_during_its_own_read_stops_the_stream() -> None:
    async def scenario() -> None:
        store = ChangingStore()
        await _filled(store, {"big.bin": b"B" * (READ_AHEAD_SIZE + 10)})
        with pytest.raises(IntegrityError, match=r"big\.bin changed \("):
            async for _ in provider_tar(store):
                pass
        assert store.running == 0

    asyncio.run(scenario())


def test_a_stream_stopped_early_leaves_no_read_running() -> None:
    async def scenario() -> SlowStore:
        store = SlowStore()
        await _filled(store, _files())
        stream = provider_tar(store)
        for _ in range(4):  # a folder, a header, some bytes: reads ahead are under way
            await anext(stream)
        await stream.aclose()  # as when borg fails and the runner stops feeding it
        return store

    store = asyncio.run(scenario())
    assert store.running == 0 and store.started <= READ_AHEAD_FILES + 1
