"""Batched durability of local writes: every file flushed, no anchor file left, errors raised."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncoxide.native.providers.local import durable
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.providers.contract import PARTIAL_PREFIX


def _open_written(folder: Path, count: int) -> list[int]:
    fds = []
    for i in range(count):
        fd = os.open(folder / f"f{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, bytes([i % 256]) * (1000 + i))
        fds.append(fd)
    return fds


@pytest.mark.parametrize("count", [1, 2, 3, 40])
def test_make_durable_flushes_every_file_and_leaves_no_anchor(tmp_path: Path, count: int) -> None:
    anchor = str(tmp_path) if durable.journal_covers_batch(str(tmp_path)) else None
    fds = _open_written(tmp_path, count)
    try:
        durable.make_durable(fds, anchor)
    finally:
        for fd in fds:
            os.close(fd)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"f{i}" for i in range(count))
    assert all((tmp_path / f"f{i}").stat().st_size == 1000 + i for i in range(count))


def test_make_durable_reports_a_bad_descriptor(tmp_path: Path) -> None:
    fds = _open_written(tmp_path, 4)
    os.close(fds[2])
    try:
        with pytest.raises(OSError):
            durable.make_durable(fds, str(tmp_path))
        with pytest.raises(OSError):
            durable.make_durable(fds, None)
    finally:
        for fd in (fds[0], fds[1], fds[3]):
            os.close(fd)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(PARTIAL_PREFIX)]


def test_journal_check_is_false_where_it_cannot_tell(tmp_path: Path) -> None:
    assert durable.journal_covers_batch(str(tmp_path / "absent")) is False
    if Path("/proc").is_dir():
        assert durable.journal_covers_batch("/proc") is False


def test_group_commit_batches_concurrent_writers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    real = durable.make_durable

    def counted(fds: list[int], anchor: str | None) -> None:
        batches.append(len(fds))
        real(fds, anchor)

    monkeypatch.setattr(durable, "make_durable", counted)
    fds = _open_written(tmp_path, 50)

    async def main() -> None:
        commit = durable.GroupCommit(None, batch_files=20, window_s=0.05)
        await asyncio.gather(*(commit.flush(fd) for fd in fds))

    try:
        asyncio.run(main())
    finally:
        for fd in fds:
            os.close(fd)
    assert sum(batches) == 50
    assert max(batches) >= 20  # full batches go at once, the rest after the window
    assert len(batches) <= 4


def test_group_commit_passes_an_error_to_each_waiting_writer(tmp_path: Path) -> None:
    fds = _open_written(tmp_path, 3)
    os.close(fds[1])

    async def main() -> list[BaseException | None]:
        commit = durable.GroupCommit(None, batch_files=3, window_s=0.05)
        return await asyncio.gather(*(commit.flush(fd) for fd in fds), return_exceptions=True)

    try:
        results = asyncio.run(main())
    finally:
        os.close(fds[0])
        os.close(fds[2])
    assert all(isinstance(result, OSError) for result in results)


def test_many_small_local_writes_all_land(tmp_path: Path) -> None:
    provider = LocalProvider(tmp_path)

    async def one(i: int) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield f"file {i}".encode()

        await provider.write(f"d{i % 3}/f{i}", chunks(), hash_kind="sha1")

    async def main() -> None:
        await asyncio.gather(*(one(i) for i in range(300)))

    asyncio.run(main())
    names = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert names == {f"f{i}" for i in range(300)}
    assert (tmp_path / "d2" / "f8").read_bytes() == b"file 8"


def _drop_cache(path: Path) -> None:
    os.sync()  # DONTNEED drops clean pages only
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


@pytest.mark.parametrize("size", [0, 1, 4096, 300_000, 3 * 1024 * 1024 + 7])
@pytest.mark.parametrize("cold", [False, True])
def test_reads_are_whole_whether_cached_or_not(tmp_path: Path, size: int, cold: bool) -> None:
    data = os.urandom(size)
    (tmp_path / "f").write_bytes(data)
    provider = LocalProvider(tmp_path)

    async def read(offset: int = 0, length: int | None = None) -> bytes:
        if cold:
            _drop_cache(tmp_path / "f")
        return b"".join([c async for c in provider.open_read("f", offset, length)])

    assert asyncio.run(read()) == data
    if size > 10:
        assert asyncio.run(read(3, size // 2)) == data[3 : 3 + size // 2]
        assert asyncio.run(read(size - 5)) == data[size - 5 :]
