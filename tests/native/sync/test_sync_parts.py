"""Big files in parallel parts on the local disk: killed copies resume part-way, verified.

The part size and threshold are lowered so a few MiB exercise the same code a 2 GiB file
does. A kill is an exception no handler catches (as SIGKILL leaves things); the test after
that checks what a real ``kill -9`` of the CLI leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.parts import PartSettings
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.providers.contract import PARTIAL_PREFIX
from syncoxide.sync.plan import Mode
from syncoxide.wal.replay import replay_journal

PART = 256 * 1024
SIZE = 10 * PART + 1234  # 11 parts, the last one short


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


class DyingDisk(LocalProvider):
    """A local folder whose process dies after ``parts_left`` stored parts."""

    parts_left = -1
    parts_written = 0

    async def write_part(self, path, token, offset, chunks, *, size):  # type: ignore[no-untyped-def]
        if self.parts_left == 0:
            raise Killed
        self.parts_left -= 1
        self.parts_written += 1
        await super().write_part(path, token, offset, chunks, size=size)


class Setup:
    def __init__(self, root: Path) -> None:
        (root / "a").mkdir()
        (root / "b").mkdir()
        self.content = random.Random(7).randbytes(SIZE)
        (root / "a" / "big.bin").write_bytes(self.content)
        self.root = root
        self.source = LocalProvider(root / "a")
        self.dest = DyingDisk(root / "b")
        self.store = MemoryPairStore()

    def run(self, streams: int = 3) -> RunReport:
        options = RunOptions(Mode.SYNC, parts=PartSettings(streams, 2 * PART, PART))
        clock, rng = FixedClock(1_700_000_000.0), SeededRandom(b"parts")
        return asyncio.run(
            run_pair(self.source, self.dest, self.store, options, clock=clock, random=rng)
        )

    def leftovers(self) -> list[str]:
        return [p.name for p in (self.root / "b").iterdir() if p.name.startswith(PARTIAL_PREFIX)]

    def partial(self) -> Path:
        (found,) = [p for p in (self.root / "b").iterdir() if p.name.startswith(PARTIAL_PREFIX)]
        return found


def test_a_big_file_goes_in_parts_and_arrives_whole(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    report = setup.run()
    assert not report.failures
    assert (tmp_path / "b" / "big.bin").read_bytes() == setup.content
    assert setup.dest.parts_written == 11 and setup.leftovers() == []
    stat = (tmp_path / "a" / "big.bin").stat()
    assert (tmp_path / "b" / "big.bin").stat().st_mtime_ns == stat.st_mtime_ns


class FailingDisk(LocalProvider):
    """Fails the first part at once; every other part takes a while. Counts the parts still
    being written, and those begun after the failure."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.writing = 0
        self.begun_after_failure = 0
        self.failed = False

    async def write_part(self, path, token, offset, chunks, *, size):  # type: ignore[no-untyped-def]
        if offset == 0:
            self.failed = True
            raise RuntimeError("the disk broke")
        self.begun_after_failure += self.failed
        self.writing += 1
        try:
            await asyncio.sleep(0.3)
            await super().write_part(path, token, offset, chunks, size=size)
        finally:
            self.writing -= 1


def test_a_failed_part_stops_the_other_streams_before_the_copy_ends(tmp_path: Path) -> None:
    """One stream's failure ends the copy, and the others' parts stop with it: none is still
    being written, nor begun, once the run is over (they went on after their providers were
    closed, failed there and were retried)."""
    setup = Setup(tmp_path)
    dest = FailingDisk(tmp_path / "b")
    options = RunOptions(Mode.SYNC, parts=PartSettings(3, 2 * PART, PART))

    async def go() -> tuple[int, int]:
        with contextlib.suppress(Exception):
            await run_pair(
                setup.source,
                dest,
                setup.store,
                options,
                clock=FixedClock(1_700_000_000.0),
                random=SeededRandom(b"parts"),
            )
        writing, begun = dest.writing, dest.begun_after_failure
        await asyncio.sleep(0.5)  # what an orphaned stream would do meanwhile
        return writing, dest.begun_after_failure - begun

    assert dest.failed is False
    assert asyncio.run(go()) == (0, 0)
    assert dest.failed


@pytest.mark.parametrize("stored", [0, 4, 10])
def test_a_killed_copy_resumes_from_its_verified_parts(tmp_path: Path, stored: int) -> None:
    setup = Setup(tmp_path)
    setup.dest.parts_left = stored
    with pytest.raises(Killed):
        setup.run(streams=1)
    assert not (tmp_path / "b" / "big.bin").exists()  # never half a file under its name
    assert len(replay_journal(setup.store.journal or b"").parts.get(0, {})) == stored
    setup.dest.parts_left, setup.dest.parts_written = -1, 0
    report = setup.run()
    assert len(report.resumed) == 1 and not report.failures
    assert setup.dest.parts_written == 11 - stored
    assert (tmp_path / "b" / "big.bin").read_bytes() == setup.content
    assert setup.leftovers() == [] and setup.store.journal is None


def test_a_tampered_part_is_refused_and_copied_again(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.dest.parts_left = 6
    with pytest.raises(Killed):
        setup.run(streams=1)
    with setup.partial().open("r+b") as handle:  # flip a byte inside a journaled part
        handle.seek(2 * PART + 17)
        byte = handle.read(1)
        handle.seek(2 * PART + 17)
        handle.write(bytes([byte[0] ^ 0xFF]))
    setup.dest.parts_left, setup.dest.parts_written = -1, 0
    setup.run()
    assert setup.dest.parts_written == 11 - 6 + 1
    assert (tmp_path / "b" / "big.bin").read_bytes() == setup.content


class SlowCheckingDisk(DyingDisk):
    """Reads back journaled ranges slowly; logs when ranges are checked and written."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.events: list[str] = []

    async def part_digest(self, path, token, *, offset, length, kind):  # type: ignore[no-untyped-def]
        digest = await super().part_digest(path, token, offset=offset, length=length, kind=kind)
        if offset < 6 * PART:  # a range the killed run journaled: its resume check
            await asyncio.sleep(0.2)
            self.events.append(f"checked {offset // PART}")
        return digest

    async def write_part(
        self, path: str, token: str, offset: int, chunks: AsyncIterator[bytes], *, size: int
    ) -> None:
        self.events.append(f"write {offset // PART}")
        await super().write_part(path, token, offset, chunks, size=size)  # type: ignore[no-untyped-call]


def test_a_resume_copies_missing_parts_while_checking_stored_ones(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.dest.parts_left = 6
    with pytest.raises(Killed):
        setup.run(streams=1)
    with setup.partial().open("r+b") as handle:  # spoil journaled part 2
        handle.seek(2 * PART + 17)
        handle.write(b"\x00\xff")
    setup.dest = SlowCheckingDisk(tmp_path / "b")
    report = setup.run(streams=2)
    assert len(report.resumed) == 1 and not report.failures
    events = setup.dest.events
    writes = [e for e in events if e.startswith("write")]
    # The never-stored parts went first, while the stored ones were still being read back;
    # the spoilt part was copied again only once its check failed, before the commit.
    assert events.index("write 6") < events.index("checked 0")
    assert sorted(writes) == sorted(f"write {n}" for n in (2, 6, 7, 8, 9, 10))
    assert events.index("write 2") > events.index("checked 2")
    assert (tmp_path / "b" / "big.bin").read_bytes() == setup.content
    assert setup.leftovers() == []


def test_a_source_edited_while_down_is_copied_afresh(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.dest.parts_left = 5
    with pytest.raises(Killed):
        setup.run(streams=1)
    changed = setup.content[:-1] + b"!"
    (tmp_path / "a" / "big.bin").write_bytes(changed)
    os.utime(tmp_path / "a" / "big.bin", ns=(2 * 10**18, 2 * 10**18))
    setup.dest.parts_left = -1
    report = setup.run()
    assert not report.failures
    assert (tmp_path / "b" / "big.bin").read_bytes() == changed
    assert setup.leftovers() == []


def _journal_parts(state: Path) -> int:
    journals = list(state.glob("pairs/*/journal.sxwal"))
    return len(replay_journal(journals[0].read_bytes()).parts.get(0, {})) if journals else 0


@pytest.mark.live  # the CLI, run and killed as a user would
def test_the_cli_killed_mid_copy_resumes_part_way(tmp_path: Path) -> None:
    """A real SIGKILL of the CLI part-way through a 48 MiB file in 4 MiB parts."""
    source, dest, state = tmp_path / "a", tmp_path / "b", tmp_path / "state"
    source.mkdir()
    dest.mkdir()
    content = random.Random(9).randbytes(48 * 1024 * 1024)
    (source / "big.bin").write_bytes(content)
    command = [
        sys.executable, "-m", "syncoxide.cli.main", "sync", str(source), str(dest),
        "--state-dir", str(state), "--multi-thread-streams", "2", "--multi-thread-cutoff", "4",
        "--multi-thread-chunk-size", "4", "--json",
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _journal_parts(state) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the copy ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = _journal_parts(state)
    assert 3 <= stored < 12 and not (dest / "big.bin").exists()
    rerun = subprocess.run(command, capture_output=True, check=True)
    assert b'"resumed_actions": 1' in rerun.stdout
    assert (dest / "big.bin").read_bytes() == content
    assert not [p for p in dest.iterdir() if p.name.startswith(PARTIAL_PREFIX)]
