"""A folder's watcher names the paths that changed, on real inotify (and on watchfiles, the
watcher used where inotify is not): new folders are watched too, renamed ones under their new
name, and a queue overflow asks for a full scan."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from syncoxide.native.watch.tree_changes import TreeChanges, watchfiles_changes

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")

Watcher = Callable[[Path], AsyncIterator[TreeChanges]]


def inotify(root: Path) -> AsyncIterator[TreeChanges]:
    from syncoxide.native.watch.inotify_tree import inotify_changes  # Linux only

    return inotify_changes(root, print)


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 60))


async def next_batch(changes: AsyncIterator[TreeChanges]) -> TreeChanges:
    return await asyncio.wait_for(anext(changes), 10)


async def until_named(changes: AsyncIterator[TreeChanges], path: str) -> TreeChanges:
    """Batches merged until one names ``path`` (how events split into batches is timing)."""
    paths: set[str] = set()
    listings: set[str] = set()
    while path not in paths:
        batch = await next_batch(changes)
        assert not batch.full, "no event was lost"
        paths |= batch.paths
        listings |= batch.listings
    return TreeChanges(frozenset(paths), frozenset(listings))


@pytest.mark.parametrize("watcher", [inotify, watchfiles_changes])
def test_a_changed_file_is_named_alone(tmp_path: Path, watcher: Watcher) -> None:
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "other.txt").write_text("one")

    async def test() -> None:
        changes = watcher(tmp_path)
        assert (await next_batch(changes)).full  # the start: scan it all
        (tmp_path / "a.txt").write_text("two")
        batch = await until_named(changes, "a.txt")
        assert batch.paths == {"a.txt"} and not batch.listings
        await changes.aclose()  # type: ignore[attr-defined]

    run(test)


def test_a_new_folder_is_named_and_then_watched(tmp_path: Path) -> None:
    async def test() -> None:
        changes = inotify(tmp_path)
        await next_batch(changes)
        (tmp_path / "new" / "deeper").mkdir(parents=True)  # inside before any watch on it
        (tmp_path / "new" / "deeper" / "early.txt").write_text("x")
        batch = await until_named(changes, "new")
        assert "" in batch.listings
        await asyncio.sleep(0.3)
        (tmp_path / "new" / "deeper" / "late.txt").write_text("x")
        late = await until_named(changes, "new/deeper/late.txt")
        assert "new/deeper" in late.listings
        await changes.aclose()  # type: ignore[attr-defined]

    run(test)


def test_a_renamed_folder_reports_under_its_new_name(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.txt").write_text("x")

    async def test() -> None:
        changes = inotify(tmp_path)
        await next_batch(changes)
        (tmp_path / "a").rename(tmp_path / "z")
        batch = await until_named(changes, "z")
        assert {"a", "z"} <= batch.paths
        await asyncio.sleep(0.3)
        (tmp_path / "z" / "b" / "f.txt").write_text("y")
        after = await until_named(changes, "z/b/f.txt")
        assert not any(path.startswith("a/") for path in after.paths)
        await changes.aclose()  # type: ignore[attr-defined]

    run(test)


def test_a_folder_moved_out_and_back_in(tmp_path: Path) -> None:
    (tmp_path / "inside" / "sub").mkdir(parents=True)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"

    async def test() -> None:
        changes = inotify(tmp_path / "inside")
        await next_batch(changes)
        (tmp_path / "inside" / "sub").rename(outside)
        assert "sub" in (await until_named(changes, "sub")).paths
        (outside / "unseen.txt").write_text("x")  # no longer ours: no event
        outside.rename(tmp_path / "inside" / "back")
        batch = await until_named(changes, "back")
        assert "unseen.txt" not in batch.paths and "sub/unseen.txt" not in batch.paths
        await changes.aclose()  # type: ignore[attr-defined]

    try:
        run(test)
    finally:
        shutil.rmtree(outside, ignore_errors=True)


def test_the_state_folder_is_not_a_change(tmp_path: Path) -> None:
    (tmp_path / ".syncoxide" / "tmp").mkdir(parents=True)

    async def test() -> None:
        changes = inotify(tmp_path)
        await next_batch(changes)
        (tmp_path / ".syncoxide" / "tmp" / "scratch").write_text("x")
        (tmp_path / ".syncoxide" / "trash").mkdir()
        (tmp_path / "real.txt").write_text("x")
        batch = await until_named(changes, "real.txt")
        assert batch.paths == {"real.txt"}
        await changes.aclose()  # type: ignore[attr-defined]

    run(test)


def test_a_queue_overflow_asks_for_a_full_scan(tmp_path: Path) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"max_queued_events is {limit}: too many events to make here")

    async def test() -> None:
        changes = inotify(tmp_path)
        await next_batch(changes)
        for number in range(limit // 2 + 10):  # nothing reads meanwhile: each makes 2 events
            path = tmp_path / f"f{number}"
            path.write_bytes(b"")
            path.unlink()
        while not (batch := await next_batch(changes)).full:
            pass
        assert batch.full
        (tmp_path / "after.txt").write_text("x")
        await until_named(changes, "after.txt")  # still watching after it
        await changes.aclose()  # type: ignore[attr-defined]

    run(test)


def test_the_root_deleted_asks_for_a_full_scan(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)

    async def test() -> None:
        changes = inotify(root)
        await next_batch(changes)
        shutil.rmtree(root)
        while not (await next_batch(changes)).full:
            pass
        await changes.aclose()  # type: ignore[attr-defined]

    run(test)
