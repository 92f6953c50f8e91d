"""Changed big files updated by their changed blocks on the local disk, verified, crash-safe.

The cutoff and block size are lowered so a few MiB exercise the code a 4 GiB file takes.
Bytes written are counted twice: by what the provider reports and by wrapping ``os.pwrite``
for the delta module, so a provider that under-reports its writes fails the test.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncoxide.cli.main import main
from syncoxide.engine.delta import DeltaSettings
from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.engine.summary import summary_json
from syncoxide.native.providers.local import parts as local_parts
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.providers.contract import PARTIAL_PREFIX, DeltaWritten
from syncoxide.sync.plan import Mode

BLOCK = 64 * 1024
SIZE = 200 * BLOCK + 777  # 201 blocks, the last one short
MTIME = 1_600_000_000 * 10**9


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


class CountingDisk(LocalProvider):
    """A local folder that keeps what each delta update reported."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.deltas: list[DeltaWritten] = []
        self.vanish = False  # the old file is deleted just before the update starts

    async def write_delta(self, path, chunks, **kwargs):  # type: ignore[no-untyped-def]
        if self.vanish:
            os.unlink(self.full(path))
        done = await super().write_delta(path, chunks, **kwargs)
        self.deltas.append(done)
        return done


class FlakySource(LocalProvider):
    """A source whose read stream runs ``hook`` after ``after`` chunks (once)."""

    after = -1
    hook: object = None

    async def open_read(  # type: ignore[override]
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        count = 0
        async for chunk in super().open_read(path, offset, length):
            yield chunk
            count += 1
            if count == self.after and callable(self.hook):
                self.after = -1
                self.hook()


class Pair:
    def __init__(self, root: Path, content: bytes) -> None:
        (root / "a").mkdir()
        (root / "b").mkdir()
        self.root = root
        self.write_source(content, MTIME)
        self.source = FlakySource(root / "a")
        self.dest = CountingDisk(root / "b")
        self.store = MemoryPairStore()
        assert not self.run().failures  # the first copy is a new file: never a delta
        assert self.dest.deltas == []

    def write_source(self, content: bytes, mtime_ns: int) -> None:
        path = self.root / "a" / "big.bin"
        path.write_bytes(content)
        os.utime(path, ns=(mtime_ns, mtime_ns))

    def run(self, *, enabled: bool = True) -> RunReport:
        delta = DeltaSettings(enabled=enabled, cutoff=BLOCK, block_bytes=BLOCK)
        options = RunOptions(Mode.SYNC, delta=delta)
        clock, rng = FixedClock(1_700_000_000.0), SeededRandom(b"delta")
        return asyncio.run(
            run_pair(self.source, self.dest, self.store, options, clock=clock, random=rng)
        )

    def dest_bytes(self) -> bytes:
        return (self.root / "b" / "big.bin").read_bytes()

    def leftovers(self) -> list[str]:
        return [p.name for p in (self.root / "b").iterdir() if p.name.startswith(PARTIAL_PREFIX)]


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every byte count the local provider's block writer hands to ``pwrite``."""
    counts: list[int] = []
    real = os.pwrite

    def counting(fd: int, data: bytes | memoryview, offset: int) -> int:
        counts.append(len(data))
        return real(fd, data, offset)

    monkeypatch.setattr(local_parts.os, "pwrite", counting)
    return counts


def _old() -> bytes:
    return random.Random(3).randbytes(SIZE)


def _edited(data: bytes, *offsets: int) -> bytes:
    out = bytearray(data)
    for offset in offsets:
        out[offset] ^= 0xFF
    return bytes(out)


def _update(tmp_path: Path, old: bytes, new: bytes) -> tuple[Pair, RunReport]:
    pair = Pair(tmp_path, old)
    pair.write_source(new, MTIME + 10**9)
    report = pair.run()
    assert not report.failures
    assert pair.dest_bytes() == new and pair.leftovers() == []
    return pair, report


def test_one_percent_changed_writes_about_one_percent(tmp_path: Path, written: list[int]) -> None:
    old = _old()
    new = _edited(old, 5 * BLOCK + 10, 77 * BLOCK, 150 * BLOCK + 3)  # 3 of 201 blocks
    pair, report = _update(tmp_path, old, new)
    (done,) = pair.dest.deltas
    assert done.blocks_bytes == 3 * BLOCK == sum(written)
    assert done.blocks_bytes / SIZE < 0.02
    sha1 = hashlib.sha1(new).hexdigest()
    assert done.entry.hashes == {"sha1": sha1}
    assert (tmp_path / "b" / "big.bin").stat().st_mtime_ns == MTIME + 10**9
    assert [o.written for o in report.outcomes if o.written] == [done.entry]
    # The run's summary counts the bytes that travelled, not the file's size.
    assert summary_json(report, 1.0)["bytes_copied"] == 3 * BLOCK


def test_changed_first_and_last_blocks(tmp_path: Path, written: list[int]) -> None:
    old = _old()
    pair, _ = _update(tmp_path, old, _edited(old, 0, SIZE - 1))
    assert pair.dest.deltas[0].blocks_bytes == BLOCK + 777 == sum(written)


def test_a_grown_file_writes_its_new_tail(tmp_path: Path, written: list[int]) -> None:
    old = _old()
    pair, _ = _update(tmp_path, old, old + b"x" * (3 * BLOCK))
    # The short last block is now full, then two new full blocks and a short one.
    assert pair.dest.deltas[0].blocks_bytes == 3 * BLOCK + 777 == sum(written)


def test_a_shrunk_file_writes_nothing_but_is_cut(tmp_path: Path, written: list[int]) -> None:
    old = _old()
    pair, _ = _update(tmp_path, old, old[: 100 * BLOCK + 5])
    assert pair.dest.deltas[0].blocks_bytes == 0 == sum(written)


def test_a_touched_file_keeps_its_inode_and_gets_the_new_time(
    tmp_path: Path, written: list[int]
) -> None:
    old = _old()
    pair = Pair(tmp_path, old)
    before = (tmp_path / "b" / "big.bin").stat()
    pair.write_source(old, MTIME + 10**9)
    assert not pair.run().failures
    after = (tmp_path / "b" / "big.bin").stat()
    assert pair.dest.deltas[0].blocks_bytes == 0 == sum(written)
    assert after.st_ino == before.st_ino and after.st_mtime_ns == MTIME + 10**9
    assert pair.dest_bytes() == old and pair.leftovers() == []


def test_an_old_file_gone_before_the_update_gets_a_whole_copy(tmp_path: Path) -> None:
    old = _old()
    pair = Pair(tmp_path, old)
    new = _edited(old, 9)
    pair.write_source(new, MTIME + 10**9)
    pair.dest.vanish = True
    assert not pair.run().failures
    assert pair.dest_bytes() == new and pair.dest.deltas == [] and pair.leftovers() == []


def test_whole_file_turns_deltas_off(tmp_path: Path) -> None:
    old = _old()
    pair = Pair(tmp_path, old)
    new = _edited(old, 9)
    pair.write_source(new, MTIME + 10**9)
    assert not pair.run(enabled=False).failures
    assert pair.dest_bytes() == new and pair.dest.deltas == []


def test_a_kill_midway_keeps_the_old_file_and_the_rerun_converges(tmp_path: Path) -> None:
    old = _old()
    pair = Pair(tmp_path, old)
    new = _edited(old, 4 * BLOCK, 180 * BLOCK)
    pair.write_source(new, MTIME + 10**9)
    pair.source.after, pair.source.hook = 3, _raise_killed  # 3 MiB-ish read, then death
    with pytest.raises(Killed):
        pair.run()
    assert pair.dest_bytes() == old
    assert pair.run().failures == [] and pair.dest_bytes() == new
    assert pair.leftovers() == []


def _raise_killed() -> None:
    raise Killed


def test_a_source_edited_during_the_update_is_refused_then_recopied(tmp_path: Path) -> None:
    old = _old()
    pair = Pair(tmp_path, old)
    first = _edited(old, 2 * BLOCK)
    second = _edited(first, 190 * BLOCK)
    pair.write_source(first, MTIME + 10**9)
    pair.source.after = 1
    pair.source.hook = lambda: pair.write_source(second, MTIME + 2 * 10**9)
    report = pair.run()
    # The bytes read mixed two versions: refused on every attempt, nothing committed.
    assert len(report.failures) == 1 and "changed while" in report.failures[0].message
    assert pair.dest_bytes() == old and pair.leftovers() == [] and pair.dest.deltas == []
    assert not pair.run().failures
    assert pair.dest_bytes() == second and len(pair.dest.deltas) == 1


def test_an_old_file_written_to_during_the_update_is_not_trusted(tmp_path: Path) -> None:
    """The blocks are compared with the old file, so an edit to it mid-update voids them."""
    old = _old()
    pair = Pair(tmp_path, old)
    new = _edited(old, 100 * BLOCK, 150 * BLOCK)
    pair.write_source(new, MTIME + 10**9)

    def scribble() -> None:  # the old file takes the very edit: it would look unchanged
        with (tmp_path / "b" / "big.bin").open("r+b") as handle:
            handle.seek(100 * BLOCK)
            handle.write(new[100 * BLOCK : 100 * BLOCK + 1])

    pair.source.after, pair.source.hook = 1, scribble
    assert not pair.run().failures  # refused once, then done again from the new state
    assert pair.dest_bytes() == new and pair.leftovers() == []


@pytest.mark.live  # the CLI, run and killed as a user would
def test_the_cli_killed_mid_delta_leaves_the_old_file(tmp_path: Path) -> None:
    """A real SIGKILL during the update of a 96 MiB file: the old file is whole under its
    name, the partial copy is cleaned up by the rerun, which converges."""
    source, dest, state = tmp_path / "a", tmp_path / "b", tmp_path / "state"
    source.mkdir()
    dest.mkdir()
    old = random.Random(11).randbytes(96 * 1024 * 1024)
    (source / "big.bin").write_bytes(old)
    command = [
        sys.executable, "-m", "syncoxide.cli.main", "sync", str(source), str(dest),
        "--state-dir", str(state), "--delta-cutoff", "1",
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, check=True)
    new = _edited(old, 0, len(old) // 2, len(old) - 1)
    (source / "big.bin").write_bytes(new)
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _partials(dest) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert proc.poll() is None, "the update ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (dest / "big.bin").read_bytes() == old
    subprocess.run(command, capture_output=True, check=True)
    assert (dest / "big.bin").read_bytes() == new and not _partials(dest)


def _partials(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(PARTIAL_PREFIX)]


def test_the_cli_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SYNCOXIDE_STATE_DIR", str(tmp_path / "state"))
    calls: list[str] = []
    real = LocalProvider.write_delta

    async def recorded(self, path, chunks, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(path)
        return await real(self, path, chunks, **kwargs)

    monkeypatch.setattr(LocalProvider, "write_delta", recorded)
    source, dest = tmp_path / "a", tmp_path / "b"
    source.mkdir()
    old = random.Random(5).randbytes(2 * 1024 * 1024)
    (source / "f.bin").write_bytes(old)
    assert main(["sync", str(source), str(dest)]) == 0
    assert main(["sync", str(source), str(dest), "--delta-cutoff", "0"]) == 2
    assert "--delta-cutoff" in capsys.readouterr().err
    for flags, expected in ((["--whole-file"], []), (["--delta-cutoff", "1"], ["f.bin"])):
        new = _edited(old, len(calls) + 1)
        (source / "f.bin").write_bytes(new)
        os.utime(source / "f.bin", ns=(MTIME + len(flags) * 10**9,) * 2)
        assert main(["sync", str(source), str(dest), *flags]) == 0
        assert calls == expected and (dest / "f.bin").read_bytes() == new
