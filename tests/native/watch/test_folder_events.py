"""A local folder as ``sync --watch`` and the mount follow it (``FolderEvents``, on the device
daemon's tree watcher): what counts as a user's change, the folder is watched before the first
run, a quiet folder wakes nothing, and lost events start a run that looks at everything."""

from __future__ import annotations

import asyncio
import selectors
import sys
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from syncoxide.engine.watch import WatchSettings, watch_pair
from syncoxide.native.watch.local_events import FolderEvents, users_changes
from syncoxide.native.watch.tree_changes import TreeChanges
from syncoxide.providers.contract import PARTIAL_PREFIX

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")


def test_only_partial_writes_are_left_out_of_a_batch() -> None:
    partial = f"docs/{PARTIAL_PREFIX}x.txt"
    users = {"notes.txt", "sub/.syncoxide/notes.txt", ".git/HEAD", ".notes.txt.swp", "a.txt~"}
    assert users_changes(TreeChanges(frozenset({partial, *users}))) == users


class CountingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """The event loop's selector, counting how often the loop woke up."""

    wakeups = 0

    def select(self, timeout: float | None = None) -> Any:
        events = super().select(timeout)
        self.wakeups += 1
        return events


class Watched:
    """``FolderEvents`` on ``root`` running in the current loop, its notices collected."""

    def __init__(self, root: Path) -> None:
        self.notices: list[int] = []
        self.ready = asyncio.Event()
        self.task = asyncio.create_task(FolderEvents(root)(self.notices.append, self.ready.set))

    async def __aenter__(self) -> Watched:
        await asyncio.wait_for(self.ready.wait(), 10)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task

    async def until_notice(self) -> None:
        while not self.notices:
            await asyncio.sleep(0.02)


def run(test: Callable[[], Coroutine[Any, Any, None]], selector: Any = None) -> None:
    with asyncio.Runner(loop_factory=lambda: asyncio.SelectorEventLoop(selector)) as runner:
        runner.run(asyncio.wait_for(test(), 60))


def test_our_bookkeeping_starts_no_run_and_git_or_editor_files_do(tmp_path: Path) -> None:
    async def test() -> None:
        async with Watched(tmp_path) as watched:
            (tmp_path / f"{PARTIAL_PREFIX}a.txt").write_text("half")
            (tmp_path / f"{PARTIAL_PREFIX}a.txt").rename(tmp_path / f"{PARTIAL_PREFIX}b.txt")
            (tmp_path / ".syncoxide" / "trash").mkdir(parents=True)
            (tmp_path / ".syncoxide" / "trash" / "old.txt").write_text("x")
            await asyncio.sleep(0.5)
            assert watched.notices == []
            (tmp_path / ".git").mkdir()
            (tmp_path / ".git" / "HEAD").write_text("ref")
            (tmp_path / ".notes.txt.swp").write_text("x")
            await asyncio.wait_for(watched.until_notice(), 10)

    run(test)


def test_a_quiet_folder_wakes_nothing(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("x")
    selector = CountingSelector()

    async def test() -> None:
        threads = threading.active_count()
        async with Watched(tmp_path) as watched:
            await asyncio.sleep(0.3)  # the start's own work is done
            selector.wakeups = 0
            await asyncio.sleep(3)  # one wake-up: this sleep's end
            assert selector.wakeups <= 2, f"{selector.wakeups} wake-ups in 3 s of quiet"
            assert watched.notices == []
            assert threading.active_count() == threads  # no polling thread either

    run(test, selector)


def test_lost_events_start_a_run_that_looks_at_everything(tmp_path: Path) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"max_queued_events is {limit}: too many events to make here")
    runs: list[int] = []

    async def run_once(changes: int) -> None:
        runs.append(changes)
        if len(runs) == 1:  # a long run: nothing reads the events meanwhile
            for number in range(limit // 2 + 10):
                path = tmp_path / f"{PARTIAL_PREFIX}{number}"  # alone, these start no run
                path.write_bytes(b"")
                path.unlink()

    async def test() -> None:
        loop = asyncio.get_running_loop()
        settings = WatchSettings(quiet_seconds=0.1)
        sources = [FolderEvents(tmp_path)]
        await watch_pair(run_once, sources, settings=settings, monotonic=loop.time, runs=2)

    run(test)
    assert runs == [0, 0]  # the second: "changed, look at everything"
