"""The watcher's events for files the receiver itself put in place (or moved to the trash) are
not rescanned, and a user's edit made just after a receive still is: real inotify, real files."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncGenerator
from dataclasses import replace
from pathlib import Path

import pytest

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.native.devices.local_folder import LocalFolder
from syncoxide.native.devices.own_writes import MAX_NOTES, OwnWrites
from syncoxide.native.watch.changed_paths import TreeChanges
from tests.native.devices.peer_blocks import fetch_from

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")

if sys.platform == "linux":
    from syncoxide.native.watch.inotify_tree import inotify_changes


def device(tmp_path: Path, name: str, files: int) -> LocalFolder:
    root = tmp_path / name
    for number in range(files):
        (root / "docs").mkdir(parents=True, exist_ok=True)
        (root / "docs" / f"{number:03}.txt").write_text(f"{name} {number}")
    root.mkdir(exist_ok=True)
    local = LocalFolder("f", root, tmp_path / f"{name}.json", name.upper())
    asyncio.run(local.scan())
    return local


async def next_batch(changes: AsyncGenerator[TreeChanges, None]) -> TreeChanges:
    batch = await asyncio.wait_for(anext(changes), 10)
    assert not batch.full
    return batch


async def take(target: LocalFolder, theirs: FileEntry, source: LocalFolder) -> None:
    assert await target.take(theirs, fetch_from(source, theirs.path), version=theirs.version)


@linux_only
def test_a_received_file_is_not_rescanned_nor_its_folder_listed(
    tmp_path: Path, looked_at: list[str]
) -> None:
    source, target = device(tmp_path, "source", 0), device(tmp_path, "target", 300)
    (source.root / "docs").mkdir()
    (source.root / "docs" / "new.txt").write_text("from the peer")
    [theirs] = asyncio.run(source.scan())

    async def test() -> list[FileEntry]:
        changes = inotify_changes(target.root, print)
        await anext(changes)  # the start: a full scan, nothing new
        await take(target, theirs, source)
        batch = await next_batch(changes)
        assert batch.paths == {"docs/new.txt"} and batch.listings == {"docs"}
        looked_at.clear()
        try:
            return await target.scan_paths(batch.paths, batch.listings)
        finally:
            await changes.aclose()  # type: ignore[attr-defined]

    assert asyncio.run(asyncio.wait_for(test(), 30)) == []
    assert [line for line in looked_at if f"{target.root}/" in line] == []  # the root's aside
    assert (target.root / "docs" / "new.txt").read_text() == "from the peer"


@linux_only
def test_a_user_edit_just_after_a_receive_is_picked_up(tmp_path: Path) -> None:
    """In the same batch as the receive's own event, or the next one, as the events settle."""
    source, target = device(tmp_path, "source", 0), device(tmp_path, "target", 20)
    (source.root / "docs").mkdir()
    (source.root / "docs" / "new.txt").write_text("from the peer")
    [theirs] = asyncio.run(source.scan())
    path = target.root / "docs" / "new.txt"

    def edit() -> None:
        path.write_text("edited here!!")  # the same size

    async def test() -> list[FileEntry]:
        changes = inotify_changes(target.root, print)
        await anext(changes)
        await take(target, theirs, source)
        edit()
        found: list[FileEntry] = []
        while not found:  # one batch or two, as the events settle
            batch = await next_batch(changes)
            found += await target.scan_paths(batch.paths, batch.listings)
        await changes.aclose()  # type: ignore[attr-defined]
        return found

    [edited] = asyncio.run(asyncio.wait_for(test(), 30))
    assert edited.path == "docs/new.txt" and edited.modified_by == "TARGET"
    assert edited.version == {**theirs.version, "TARGET": 1}


@linux_only
def test_a_receive_then_an_edit_in_a_later_batch_is_picked_up(tmp_path: Path) -> None:
    source, target = device(tmp_path, "source", 0), device(tmp_path, "target", 20)
    (source.root / "docs").mkdir()
    (source.root / "docs" / "new.txt").write_text("from the peer")
    [theirs] = asyncio.run(source.scan())

    async def test() -> list[FileEntry]:
        changes = inotify_changes(target.root, print)
        await anext(changes)
        await take(target, theirs, source)
        batch = await next_batch(changes)
        assert await target.scan_paths(batch.paths, batch.listings) == []
        (target.root / "docs" / "new.txt").write_text("edited later")
        batch = await next_batch(changes)
        found = await target.scan_paths(batch.paths, batch.listings)
        await changes.aclose()  # type: ignore[attr-defined]
        return found

    [edited] = asyncio.run(asyncio.wait_for(test(), 30))
    assert edited.version == {**theirs.version, "TARGET": 1}


@linux_only
def test_a_received_deletion_is_not_rescanned_and_a_file_made_again_is(
    tmp_path: Path, looked_at: list[str]
) -> None:
    target = device(tmp_path, "target", 20)
    ours = target.index.entries["docs/007.txt"]
    deleted = replace(ours, deleted=True, size=0, blocks=(), version={"SOURCE": 1, **ours.version})

    async def test() -> list[FileEntry]:
        changes = inotify_changes(target.root, print)
        await anext(changes)
        await take(target, deleted, target)
        batch = await next_batch(changes)
        looked_at.clear()
        assert await target.scan_paths(batch.paths, batch.listings) == []
        assert [line for line in looked_at if f"{target.root}/" in line] == []
        (target.root / "docs" / "007.txt").write_text("made again")
        batch = await next_batch(changes)
        found = await target.scan_paths(batch.paths, batch.listings)
        await changes.aclose()  # type: ignore[attr-defined]
        return found

    [made_again] = asyncio.run(asyncio.wait_for(test(), 30))
    assert made_again.path == "docs/007.txt" and not made_again.deleted


def test_a_note_is_an_echo_only_while_disk_and_index_both_agree(tmp_path: Path) -> None:
    (tmp_path / "a.tmp").write_text("one")
    writes, index = OwnWrites(), FolderIndex()
    writes.rename(tmp_path / "a.tmp", tmp_path / "a", "a")
    stat = (tmp_path / "a").stat()
    assert writes.echoes({"a"}, tmp_path, index) == set()  # the index does not hold it: scanned
    writes.rename(tmp_path / "a", tmp_path / "a.moved", "a.moved")
    index.entries["a.moved"] = FileEntry("a.moved", 3, stat.st_mtime_ns, {"ME": 1}, ("x",))
    assert writes.echoes({"a.moved", "b"}, tmp_path, index) == {"a.moved"}
    assert writes.echoes({"a.moved"}, tmp_path, index) == set()  # used up by its batch
    writes.removed("a.moved")
    writes.removed("gone")
    assert writes.echoes({"a.moved", "gone"}, tmp_path, index) == {"gone"}  # a.moved is there


def test_notes_are_bounded(tmp_path: Path) -> None:
    writes = OwnWrites()
    for number in range(MAX_NOTES + 10):
        writes.removed(f"{number}")
    found = writes.echoes({f"{n}" for n in range(MAX_NOTES + 10)}, tmp_path, FolderIndex())
    assert found == {f"{n}" for n in range(10, MAX_NOTES + 10)}  # the oldest were let go
