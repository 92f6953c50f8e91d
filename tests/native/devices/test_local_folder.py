"""A synced folder on disk: only missing blocks are fetched, bad or missing blocks change
nothing, and a file changed under a pull is left alone."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from syncoxide.devices.index import BLOCK_SIZE, FileEntry
from syncoxide.engine.device_sync.folder_port import FetchBlock
from syncoxide.engine.device_sync.pull import BlockUnavailable
from syncoxide.errors import EmptySideError, IntegrityError
from syncoxide.native.devices.local_folder import LocalFolder
from tests.native.devices.peer_blocks import fetch_from


def folder(tmp_path: Path, name: str) -> LocalFolder:
    root = tmp_path / name
    root.mkdir()
    return LocalFolder("f", root, tmp_path / f"{name}.json", name.upper())


def source_and_target(tmp_path: Path) -> tuple[LocalFolder, LocalFolder]:
    source, target = folder(tmp_path, "source"), folder(tmp_path, "target")
    (source.root / "big.bin").write_bytes(os.urandom(5 * BLOCK_SIZE))
    scan(source)
    return source, target


def scan(local: LocalFolder) -> list[FileEntry]:
    return asyncio.run(local.scan())


def take(target: LocalFolder, entry: FileEntry, fetch: FetchBlock) -> bool:
    return asyncio.run(target.take(entry, fetch, version=entry.version))


def test_an_edit_in_the_middle_moves_one_block(tmp_path: Path) -> None:
    source, target = source_and_target(tmp_path)
    fetched: list[int] = []
    assert take(target, source.index.entries["big.bin"], fetch_from(source, "big.bin", fetched))
    assert fetched == [0, 1, 2, 3, 4]
    with open(source.root / "big.bin", "r+b") as handle:
        handle.seek(2 * BLOCK_SIZE + 7)
        handle.write(b"edited")
    [changed] = scan(source)
    fetched.clear()
    assert take(target, changed, fetch_from(source, "big.bin", fetched))
    assert fetched == [2]
    assert (target.root / "big.bin").read_bytes() == (source.root / "big.bin").read_bytes()
    assert scan(target) == []  # what was written is what the index says


def test_a_block_that_does_not_match_its_hash_changes_nothing(tmp_path: Path) -> None:
    source, target = source_and_target(tmp_path)

    async def liar(number: int, digest: str) -> bytes:
        return b"not what was announced"

    with pytest.raises(IntegrityError):
        take(target, source.index.entries["big.bin"], liar)
    assert not (target.root / "big.bin").exists()
    assert list((target.root / ".syncoxide" / "tmp").iterdir()) == []


def test_a_peer_that_announces_blocks_it_does_not_send_changes_nothing(tmp_path: Path) -> None:
    source, target = source_and_target(tmp_path)
    entry = source.index.entries["big.bin"]
    (source.root / "big.bin").write_bytes(b"replaced meanwhile")
    with pytest.raises(BlockUnavailable):
        take(target, entry, fetch_from(source, "big.bin"))
    assert not (target.root / "big.bin").exists()
    assert list((target.root / ".syncoxide" / "tmp").iterdir()) == []


def test_a_file_changed_under_a_pull_is_left_alone(tmp_path: Path) -> None:
    source, target = source_and_target(tmp_path)
    (target.root / "big.bin").write_text("made here, not scanned yet")
    assert not take(target, source.index.entries["big.bin"], fetch_from(source, "big.bin"))
    assert (target.root / "big.bin").read_text() == "made here, not scanned yet"


def test_a_rescan_after_a_crash_between_rename_and_journal_merges_without_conflict(
    tmp_path: Path,
) -> None:
    source, target = source_and_target(tmp_path)
    entry = source.index.entries["big.bin"]
    (target.root / "big.bin").write_bytes((source.root / "big.bin").read_bytes())  # renamed...
    [found] = scan(target)  # ...but the journal never heard of it
    assert found.same_content(entry)


def test_a_folder_gone_from_disk_is_not_taken_as_deleting_everything(tmp_path: Path) -> None:
    source, _ = source_and_target(tmp_path)
    before = dict(source.index.entries)
    shutil.rmtree(source.root)  # an unmounted drive, a folder moved away
    with pytest.raises(EmptySideError, match="lists no files, but 1 were synced"):
        scan(source)
    assert source.index.entries == before


def test_a_scan_sees_nested_files_but_not_the_state_folder_or_a_linked_folder(
    tmp_path: Path,
) -> None:
    local = folder(tmp_path, "scanned")
    (local.root / "a" / "b").mkdir(parents=True)
    (local.root / "a" / "b" / "deep.txt").write_text("deep\n")
    (local.root / "top.txt").write_text("top\n")
    (local.root / "a" / ".syncoxide").mkdir()  # only the root's is the state folder
    (local.root / "a" / ".syncoxide" / "kept.txt").write_text("a user's file\n")
    (local.root / ".syncoxide" / "tmp").mkdir(parents=True, exist_ok=True)
    (local.root / ".syncoxide" / "tmp" / "scratch").write_text("ours\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.txt").write_text("not in the folder\n")
    (local.root / "linked").symlink_to(outside, target_is_directory=True)
    (local.root / "gone.txt").symlink_to(tmp_path / "missing")  # a dangling link: skipped
    changed = scan(local)
    assert sorted(entry.path for entry in changed) == [
        "a/.syncoxide/kept.txt", "a/b/deep.txt", "top.txt",
    ]  # fmt: skip
    assert scan(local) == []  # unchanged: nothing new
    (local.root / "a" / "b" / "deep.txt").unlink()
    assert [(e.path, e.deleted) for e in scan(local)] == [("a/b/deep.txt", True)]
