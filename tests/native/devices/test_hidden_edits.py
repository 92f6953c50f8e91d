"""Edits a size-and-mtime check cannot see: the same number of bytes written, then the old
mtime set back (``os.utime``, ``touch -r``). The scan compares the inode change time and the
inode too, so such an edit is found, sent, and never overwritten by a peer's file; a ``chmod``
or a ``touch`` of an unchanged file is no new version; an index from before stamps loads."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from syncoxide.devices.index import BLOCK_SIZE, Decision, FileEntry, decide
from syncoxide.engine.device_sync.folder_port import FetchBlock
from syncoxide.engine.device_sync.pull import BlockUnavailable
from syncoxide.native.devices import disk_walk
from syncoxide.native.devices.local_folder import LocalFolder

SETTLE_S = 0.3  # the settling time these tests run with (disk_walk.SETTLED_AFTER_NS, lowered)


@pytest.fixture(autouse=True)
def short_settling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk_walk, "SETTLED_AFTER_NS", int(SETTLE_S * 10**9))


def folder(tmp_path: Path, name: str) -> LocalFolder:
    root = tmp_path / name
    root.mkdir(exist_ok=True)
    return LocalFolder("f", root, tmp_path / f"{name}.json", name.upper())


def scan(local: LocalFolder) -> list[FileEntry]:
    return asyncio.run(local.scan())


def rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    before = os.stat(path)
    assert len(data) == before.st_size
    with open(path, "r+b") as handle:  # in place: the same inode
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def settle() -> None:
    """Let the files' ctimes age past the settling time, so their stamps are kept."""
    time.sleep(SETTLE_S + 0.05)


def fetch_from(source: LocalFolder, path: str) -> FetchBlock:
    async def fetch(number: int, digest: str) -> bytes:
        data = source.serve_block(path, number, digest)
        if data is None:
            raise BlockUnavailable()
        return data

    return fetch


def source_with_file(tmp_path: Path, data: bytes) -> tuple[LocalFolder, Path]:
    source = folder(tmp_path, "source")
    path = source.root / "notes.txt"
    path.write_bytes(data)
    settle()
    [first] = scan(source)
    assert first.stamp == (os.stat(path).st_ctime_ns, os.stat(path).st_ino)
    assert scan(source) == []  # stamped: the next scan reads nothing
    return source, path


def test_a_full_scan_finds_a_same_size_edit_with_the_old_mtime_and_a_peer_gets_it(
    tmp_path: Path,
) -> None:
    source, path = source_with_file(tmp_path, b"version one")
    target = folder(tmp_path, "target")
    first = source.index.entries["notes.txt"]
    assert asyncio.run(target.take(first, fetch_from(source, first.path), version=first.version))
    rewrite_keeping_size_and_mtime(path, b"version TWO")
    [edited] = scan(source)
    assert edited.version == {"SOURCE": 2} and edited.blocks != first.blocks
    assert edited.mtime_ns == first.mtime_ns and edited.size == first.size
    assert decide(target.index.entries["notes.txt"], edited) is Decision.TAKE
    assert asyncio.run(target.take(edited, fetch_from(source, edited.path), version=edited.version))
    assert (target.root / "notes.txt").read_bytes() == b"version TWO"


def test_a_watched_path_and_a_refresh_find_it_too(tmp_path: Path) -> None:
    source, path = source_with_file(tmp_path, b"version one")
    rewrite_keeping_size_and_mtime(path, b"version TWO")
    [edited] = asyncio.run(source.scan_paths({"notes.txt"}, set()))
    assert edited.version == {"SOURCE": 2}
    settle()
    assert scan(source) == []  # the new stamp is kept
    rewrite_keeping_size_and_mtime(path, b"version 333")
    refreshed = asyncio.run(source.refresh("notes.txt"))
    assert refreshed is not None and refreshed.version == {"SOURCE": 3}


def test_an_edit_right_after_a_scan_is_found_even_within_one_timestamp_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(disk_walk, "SETTLED_AFTER_NS", 60 * 10**9)  # however slow this run
    local = folder(tmp_path, "fresh")
    path = local.root / "a.txt"
    path.write_bytes(b"one")
    [first] = scan(local)
    assert first.stamp is None  # too recent to trust: a write in the same tick keeps ctime
    rewrite_keeping_size_and_mtime(path, b"two")
    [second] = scan(local)
    assert second.version == {"FRESH": 2}


def test_a_peers_file_does_not_overwrite_a_same_size_edit_not_yet_scanned(
    tmp_path: Path,
) -> None:
    source, path = source_with_file(tmp_path, b"version one")
    target = folder(tmp_path, "target")
    (target.root / "notes.txt").write_bytes(b"version one")
    os.utime(target.root / "notes.txt", ns=(path.stat().st_mtime_ns, path.stat().st_mtime_ns))
    settle()
    [ours] = scan(target)
    assert ours.stamp is not None
    rewrite_keeping_size_and_mtime(source.root / "notes.txt", b"peer's edit")
    [theirs] = scan(source)
    rewrite_keeping_size_and_mtime(target.root / "notes.txt", b"local edit!")
    taken = asyncio.run(target.take(theirs, fetch_from(source, theirs.path), version={}))
    assert not taken  # the file is not what the index says: left alone, scanned next
    assert (target.root / "notes.txt").read_bytes() == b"local edit!"
    [found] = scan(target)
    assert found.version == {**ours.version, "TARGET": ours.version.get("TARGET", 0) + 1}


def test_a_chmod_is_read_once_and_is_no_new_version(tmp_path: Path) -> None:
    source, path = source_with_file(tmp_path, b"version one")
    before = source.index.entries["notes.txt"]
    path.chmod(0o600)  # the ctime moves, the bytes do not
    settle()
    assert scan(source) == []  # nothing to announce
    after = source.index.entries["notes.txt"]
    assert after.version == before.version and after.stamp != before.stamp
    reloaded = folder(tmp_path, "source")  # the new stamp was journalled
    assert reloaded.index.entries["notes.txt"].stamp == after.stamp
    assert scan(reloaded) == []


def test_a_touch_of_an_unchanged_file_is_no_conflict_and_sends_no_block(tmp_path: Path) -> None:
    source, path = source_with_file(tmp_path, os.urandom(3 * BLOCK_SIZE))
    target = folder(tmp_path, "target")
    first = source.index.entries["notes.txt"]
    assert asyncio.run(target.take(first, fetch_from(source, first.path), version=first.version))
    os.utime(path)  # `touch`: a new mtime and ctime, the same bytes
    [touched] = scan(source)
    assert touched.version == first.version and touched.blocks == first.blocks
    assert decide(target.index.entries["notes.txt"], touched) is Decision.IGNORE


def test_an_index_from_before_stamps_loads_and_its_files_are_read_once(tmp_path: Path) -> None:
    source, path = source_with_file(tmp_path, b"version one")
    (tmp_path / "source.journal").unlink()
    entry = source.index.entries["notes.txt"]
    old_snapshot = {"version": 2, "generation": 0, "entries": [entry.to_json()]}  # no stamp
    (tmp_path / "source.json").write_text(json.dumps(old_snapshot))
    # Edited while the old version ran, the mtime set back: a size+mtime check trusted it.
    rewrite_keeping_size_and_mtime(path, b"version TWO")
    reloaded = folder(tmp_path, "source")
    assert reloaded.index.entries["notes.txt"].stamp is None
    [found] = scan(reloaded)
    assert found.version == {"SOURCE": 2}
    (tmp_path / "source.journal").unlink()
    (tmp_path / "source.json").write_text(json.dumps(old_snapshot | {"entries": [found.to_json()]}))
    settle()
    unchanged = folder(tmp_path, "source")
    assert scan(unchanged) == []  # read once, the same: no new version, only the stamp kept
    assert unchanged.index.entries["notes.txt"].stamp is not None
