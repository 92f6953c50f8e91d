"""A rerun reads its listing while it finishes the interrupted run's plain copies
(``syncoxide.engine.resume_overlap``), on the local disk in parts.

What must hold: the listing really runs beside the resumed copy; the fresh plan built from it
knows what the resume wrote (nothing is copied twice) and what it failed to write (nothing is
skipped); a listing that fails is read again after the resume; one that fails again says the
interrupted work was finished; a resume that dies leaves a journal the next run finishes; a
journal that owes more than plain copies is finished before anything is listed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.parts import PartSettings
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.errors import IntegrityError, ProviderError
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.ports import FixedClock, SeededRandom
from syncoxide.providers.contract import PARTIAL_PREFIX, Entry, PrunePredicate
from syncoxide.sync.plan import ActionKind, Mode
from syncoxide.wal.replay import replay_journal

PART = 256 * 1024
SIZE = 10 * PART + 1234  # 11 parts, the last one short


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


class WatchedDisk(LocalProvider):
    """A local folder that dies after ``parts_left`` stored parts, sends each part slowly
    (so a listing has time to run beside them), logs listings and commits, and refuses its
    next ``listings_refused`` listings. With ``listed`` set, each part waits (up to 5 s) for
    a listing to finish first: beside the parts it does at once; after them, never."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.parts_left = -1
        self.parts_written = 0
        self.listings_refused = 0
        self.listing_dies = False
        self.events: list[str] = []
        self.listed: asyncio.Event | None = None
        self.stats: list[str] = []

    async def stat(self, path: str) -> Entry:
        self.stats.append(path)
        return await super().stat(path)

    async def write_part(
        self, path: str, token: str, offset: int, chunks: AsyncIterator[bytes], *, size: int
    ) -> None:
        if self.parts_left == 0:
            raise Killed
        self.parts_left -= 1
        if self.listed is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.listed.wait(), 5)
        await asyncio.sleep(0.1)
        await super().write_part(path, token, offset, chunks, size=size)
        self.parts_written += 1

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        self.events.append("list")
        if self.listing_dies:
            raise Killed
        if self.listings_refused:
            self.listings_refused -= 1
            raise ProviderError("The test server refused this listing.")
        async for page in super().list_tree(prune):
            yield page
        self.events.append("listed")
        if self.listed is not None:
            self.listed.set()

    async def commit_parts(self, path: str, token: str, **rest: object) -> Entry:
        self.events.append("commit")
        return await super().commit_parts(path, token, **rest)  # type: ignore[arg-type]


class Setup:
    def __init__(self, root: Path, mode: Mode = Mode.SYNC) -> None:
        (root / "a").mkdir()
        (root / "b").mkdir()
        self.content = random.Random(7).randbytes(SIZE)
        (root / "a" / "big.bin").write_bytes(self.content)
        self.root, self.mode = root, mode
        self.source = LocalProvider(root / "a")
        self.dest = WatchedDisk(root / "b")
        self.store = MemoryPairStore()
        self.journaled = 0

    def run(self) -> RunReport:
        options = RunOptions(self.mode, parts=PartSettings(2, 2 * PART, PART))
        clock, rng = FixedClock(1_700_000_000.0), SeededRandom(b"overlap")
        return asyncio.run(
            run_pair(self.source, self.dest, self.store, options, clock=clock, random=rng)
        )

    def killed_after(self, parts: int) -> None:
        self.dest.parts_left = parts
        with pytest.raises(Killed):
            self.run()
        # The other stream's part may be cut short by the kill: ``parts - 1`` at least.
        self.journaled = len(replay_journal(self.store.journal or b"").parts.get(0, {}))
        assert self.journaled >= parts - 1
        self.dest.parts_left, self.dest.parts_written, self.dest.events = -1, 0, []
        self.dest.stats = []
        # Made while the process was down: the fresh plan after the resume copies it.
        (self.root / "a" / "small.txt").write_bytes(b"made while the run was down")

    def leftovers(self) -> list[str]:
        return [p.name for p in (self.root / "b").iterdir() if p.name.startswith(PARTIAL_PREFIX)]

    def arrived(self) -> bool:
        return (self.root / "b" / "big.bin").read_bytes() == self.content


def test_the_rerun_lists_beside_the_resumed_copy_and_plans_nothing_twice(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.killed_after(4)
    setup.dest.listed = asyncio.Event()
    report = setup.run()
    # Read while the parts went, before the copy was committed, so it showed no big.bin...
    assert setup.dest.events == ["list", "listed", "commit"]
    assert setup.dest.stats.count("big.bin") == 1  # the re-check's, asked once
    # ...and the plan still knew the copy was done: only the small file, the big one once.
    assert [a.path for a in report.plan.actions] == ["small.txt"]
    assert len(report.resumed) == 1 and not report.failures
    assert setup.dest.parts_written == 11 - setup.journaled and setup.arrived()
    assert setup.leftovers() == [] and setup.store.journal is None


def test_a_listing_refused_beside_the_resume_is_read_again_after_it(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.killed_after(4)
    setup.dest.listings_refused = 1
    report = setup.run()
    assert setup.dest.events == ["list", "commit", "list", "listed"]
    assert not report.failures and [a.path for a in report.plan.actions] == ["small.txt"]
    assert setup.dest.parts_written == 11 - setup.journaled and setup.arrived()


def test_a_listing_refused_twice_says_the_interrupted_copy_was_finished(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.killed_after(4)
    setup.dest.listings_refused = 2
    with pytest.raises(ProviderError) as raised:
        setup.run()
    assert raised.value.message.startswith("The interrupted run was finished first (1 of 1")
    assert "refused this listing" in str(raised.value)
    assert setup.arrived() and setup.store.journal is None and setup.leftovers() == []
    report = setup.run()  # the next run carries on from what is there
    assert [a.path for a in report.plan.actions] == ["small.txt"] and not report.failures


def test_a_kill_that_reaches_the_listing_is_no_failed_read(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.killed_after(4)
    setup.dest.listing_dies = True
    with pytest.raises(Killed):
        setup.run()
    assert setup.dest.events.count("list") == 1  # not read again as after a failed read
    setup.dest.listing_dies = False
    report = setup.run()
    assert [a.path for a in report.plan.actions] == ["small.txt"] and not report.failures
    assert setup.arrived() and setup.leftovers() == [] and setup.store.journal is None


def test_a_resume_that_dies_beside_its_listing_leaves_a_journal_the_next_run_finishes(
    tmp_path: Path,
) -> None:
    setup = Setup(tmp_path)
    setup.killed_after(3)
    setup.killed_after(3)  # the overlapped rerun dies too, its listing under way
    report = setup.run()
    assert len(report.resumed) == 1 and not report.failures
    assert setup.dest.parts_written == 11 - setup.journaled and setup.arrived()
    assert setup.leftovers() == [] and setup.store.journal is None


class UndoingDisk(WatchedDisk):
    """Commits the copy, lets the listing see it, then takes it away and fails (as S3 does
    with an object assembled from other parts than were verified)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.undo = False
        self.committed: asyncio.Event | None = None
        self.seen: asyncio.Event | None = None

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        if self.undo:
            self.committed, self.seen = asyncio.Event(), asyncio.Event()
            await self.committed.wait()
        async for page in super().list_tree(prune):
            yield page
        if self.seen is not None:
            self.seen.set()

    async def commit_parts(self, path: str, token: str, **rest: object) -> Entry:
        written = await super().commit_parts(path, token, **rest)
        if not self.undo:
            return written
        self.undo = False
        assert self.committed is not None and self.seen is not None
        self.committed.set()
        await self.seen.wait()
        os.remove(self.full(path))
        raise IntegrityError("The test server assembled other parts; the object was removed.")


def test_a_copy_the_listing_saw_but_the_resume_took_back_is_copied_again(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.dest = UndoingDisk(tmp_path / "b")
    setup.killed_after(4)
    setup.dest.undo = True
    report = setup.run()
    (failed,) = report.resumed
    assert not failed.ok and "assembled other parts" in failed.message
    # The listing showed big.bin whole; the fold looked again and found it gone.
    assert sorted(a.path for a in report.plan.actions) == ["big.bin", "small.txt"]
    assert setup.arrived() and setup.leftovers() == []


def test_a_source_edited_while_down_is_planned_from_what_is_there(tmp_path: Path) -> None:
    setup = Setup(tmp_path)
    setup.killed_after(4)
    edited = random.Random(8).randbytes(SIZE)
    (tmp_path / "a" / "big.bin").write_bytes(edited)
    os.utime(tmp_path / "a" / "big.bin", ns=(2 * 10**18, 2 * 10**18))
    report = setup.run()
    (skipped,) = report.resumed
    assert skipped.noop and skipped.message == "source changed"
    assert sorted(a.path for a in report.plan.actions) == ["big.bin", "small.txt"]
    assert (tmp_path / "b" / "big.bin").read_bytes() == edited


def test_a_journal_owing_more_than_plain_copies_is_finished_before_listing(
    tmp_path: Path,
) -> None:
    setup = Setup(tmp_path, Mode.MOVE)  # its copies delete their source: not plain
    setup.killed_after(4)
    report = setup.run()
    assert setup.dest.events == ["commit", "list", "listed"]
    (resumed,) = report.resumed
    assert resumed.action.kind is ActionKind.COPY and resumed.ok
    assert setup.arrived() and not (tmp_path / "a" / "big.bin").exists()
