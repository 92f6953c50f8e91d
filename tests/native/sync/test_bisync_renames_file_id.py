"""Bisync renames on the local disk told by file id (device and inode): no read of the file.

A file renamed on path1 keeps its inode; the pair state recorded it, so the rename is carried
to path2 as a move after one fresh stat of the renamed file, without hashing it. A file that
no longer has the recorded identity when checked is verified by digest, as any guess is.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.providers.contract import Entry
from syncoxide.sync.plan import Mode

CONTENT = os.urandom(3 * 1024 * 1024)


class CountingDisk(LocalProvider):
    """Counts whole-file reads (hashes and reads from offset 0); may lie about file ids."""

    reads = 0
    other_ids = False

    async def hash(self, path: str, kind: str) -> str:
        self.reads += 1
        return await super().hash(path, kind)

    def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        self.reads += 1
        return super().open_read(path, offset, length)

    async def stat(self, path: str) -> Entry:
        found = await super().stat(path)
        return replace(found, file_id="0:0") if self.other_ids else found


def _bisync(one: CountingDisk, two: CountingDisk, store: MemoryPairStore) -> RunReport:
    options = RunOptions(Mode.BISYNC)
    clock, rng = FixedClock(1_700_000_000.0), SeededRandom(b"file-ids")
    return asyncio.run(run_pair(one, two, store, options, clock=clock, random=rng))


def _synced_pair(tmp_path: Path) -> tuple[CountingDisk, CountingDisk, MemoryPairStore]:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "old").mkdir()
    (tmp_path / "a" / "old" / "big.bin").write_bytes(CONTENT)
    one, two = CountingDisk(tmp_path / "a"), CountingDisk(tmp_path / "b")
    store = MemoryPairStore()
    assert not _bisync(one, two, store).failures
    os.rename(tmp_path / "a" / "old", tmp_path / "a" / "new")
    one.reads = two.reads = 0
    return one, two, store


def _moved(report: RunReport) -> list[str]:
    return [a.path for a in report.plan.actions if a.kind.value == "rename"]


def test_a_rename_told_by_inode_is_carried_without_reading_the_file(tmp_path: Path) -> None:
    one, two, store = _synced_pair(tmp_path)
    report = _bisync(one, two, store)
    assert not report.failures and _moved(report) == ["new/big.bin"]
    assert one.reads == 0 and two.reads == 0  # neither copy was read, nothing was sent
    assert (tmp_path / "b" / "new" / "big.bin").read_bytes() == CONTENT
    assert not (tmp_path / "b" / "old" / "big.bin").exists()
    assert _bisync(one, two, store).plan.actions == ()


def test_a_file_whose_identity_changed_is_verified_by_its_digest(tmp_path: Path) -> None:
    one, two, store = _synced_pair(tmp_path)
    one.other_ids = True  # the fresh stat no longer names the recorded file
    report = _bisync(one, two, store)
    assert not report.failures and _moved(report) == ["new/big.bin"]
    assert one.reads >= 1  # the digest was read instead
    assert (tmp_path / "b" / "new" / "big.bin").read_bytes() == CONTENT
