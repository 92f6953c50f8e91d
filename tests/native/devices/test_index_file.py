"""The folder index on disk (snapshot + journal): a kill at any point, a torn last record or a
kill between compaction's two renames never hands out a version a peer may have seen."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from syncoxide.devices.index import FileEntry
from syncoxide.devices.index_journal import HEADER_SIZE, put_record, read_snapshot
from syncoxide.errors import JournalError
from syncoxide.native.devices import index_file
from syncoxide.native.devices.index_file import IndexFile
from syncoxide.native.devices.local_folder import LocalFolder
from tests.conftest import PROJECT_ROOT


def open_folder(root: Path, snapshot: Path) -> LocalFolder:
    return LocalFolder("f", root, snapshot, "ME")


def change_and_scan(folder: LocalFolder, text: str) -> list[FileEntry]:
    (folder.root / "file.txt").write_text(text)
    return asyncio.run(folder.scan())


def version(folder: LocalFolder) -> int:
    return folder.index.entries["file.txt"].version["ME"]


def test_a_journal_cut_at_every_byte_of_its_last_record_loads_a_prefix(tmp_path: Path) -> None:
    root, snapshot = tmp_path / "root", tmp_path / "index" / "f.json"
    root.mkdir()
    folder = open_folder(root, snapshot)
    for text in ("one", "two!", "three"):
        change_and_scan(folder, text)
    journal = snapshot.with_suffix(".journal")
    data = journal.read_bytes()
    before_last = len(data) - len(put_record(folder.index.entries["file.txt"]))
    for cut in range(before_last, len(data) + 1):
        journal.write_bytes(data[:cut])
        reloaded = open_folder(root, snapshot)
        assert version(reloaded) == (3 if cut == len(data) else 2), cut
        assert journal.stat().st_size == (cut if cut == len(data) else before_last)
        # What it appends next is read back whole: the torn tail was cut, not appended after.
        (root / "file.txt").write_text(f"after a cut at {cut}")
        asyncio.run(reloaded.scan())
        assert (
            version(open_folder(root, snapshot))
            == version(reloaded)
            == version(folder) + (cut == len(data))
        )
    torn = journal.with_name(journal.name + ".torn")
    assert torn.stat().st_size > 0  # the cut-off bytes were kept aside, not thrown away


def test_a_kill_between_compactions_two_renames_loads_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_file, "COMPACT_RECORDS", 4)
    root, snapshot = tmp_path / "root", tmp_path / "f.json"
    root.mkdir()
    folder = open_folder(root, snapshot)
    journal = snapshot.with_suffix(".journal")
    for number in range(4):
        change_and_scan(folder, f"edit {number}")
    stale = journal.read_bytes()  # the journal as it was before the next save compacts it
    change_and_scan(folder, "edit 4")
    assert read_snapshot(snapshot.read_bytes())[1] == 1
    assert len(journal.read_bytes()) == HEADER_SIZE
    journal.write_bytes(stale)  # as if killed after the snapshot's rename, before the journal's
    reloaded = open_folder(root, snapshot)
    assert reloaded.index.entries == folder.index.entries
    change_and_scan(reloaded, "edit 5")  # the stale journal is replaced, not appended to
    assert version(open_folder(root, snapshot)) == version(reloaded) == 6


def test_a_journal_newer_than_its_snapshot_is_refused(tmp_path: Path) -> None:
    root, snapshot = tmp_path / "root", tmp_path / "f.json"
    root.mkdir()
    folder = open_folder(root, snapshot)
    change_and_scan(folder, "one")
    IndexFile(snapshot).compact(folder.index)  # generation 1, and its journal
    shutil.copy(snapshot.with_suffix(".journal"), tmp_path / "kept.journal")
    snapshot.unlink()  # the snapshot lost: its journal alone would resurrect older versions
    shutil.copy(tmp_path / "kept.journal", snapshot.with_suffix(".journal"))
    with pytest.raises(JournalError, match="newer index"):
        open_folder(root, snapshot)


def test_an_index_of_the_previous_format_is_read_and_carried_on(tmp_path: Path) -> None:
    root, snapshot = tmp_path / "root", tmp_path / "f.json"
    root.mkdir()
    (root / "file.txt").write_text("old")
    entry = asyncio.run(open_folder(root, tmp_path / "scratch.json").scan())[0]
    snapshot.write_text(json.dumps({"version": 1, "entries": [entry.to_json()]}))
    folder = open_folder(root, snapshot)
    assert folder.index.entries == {"file.txt": entry}
    change_and_scan(folder, "new")
    assert version(open_folder(root, snapshot)) == 2


def test_kill_9_at_seeded_moments_never_hands_a_version_out_twice(tmp_path: Path) -> None:
    root, snapshot = tmp_path / "root", tmp_path / "index" / "f.json"
    root.mkdir()
    seeded = random.Random(20)
    announced = 0
    for _ in range(6):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.native.devices.index_writer", str(root), str(snapshot)],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert child.stdout is not None
        loaded = int(child.stdout.readline().split()[1])
        assert loaded >= announced  # every version it printed was durable before it printed
        time.sleep(seeded.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        lines = child.stdout.read().split()
        child.wait()
        printed = [int(n) for n in lines[1::2]]
        assert printed == sorted(printed)
        announced = max([announced, *printed])
    assert announced > 6  # it did get to change the file between kills


def test_a_version_found_just_before_a_pull_is_journalled_before_it_is_announced(
    tmp_path: Path,
) -> None:
    root, snapshot = tmp_path / "root", tmp_path / "f.json"
    root.mkdir()
    folder = open_folder(root, snapshot)
    change_and_scan(folder, "one")
    (root / "file.txt").write_text("edited as a peer's entry arrives")
    found = asyncio.run(folder.refresh("file.txt"))  # the pull announces what this returns
    assert found is not None and found.version["ME"] == 2
    assert version(open_folder(root, snapshot)) == 2  # a kill now cannot hand out 2 again
    (root / "file.txt").unlink()
    assert asyncio.run(folder.refresh("file.txt")) is not None
    assert open_folder(root, snapshot).index.entries["file.txt"].deleted


class DiskFullAfter:
    """``os.write`` as a disk that fills up: the first call stores ``room`` bytes and returns
    that count (a short write, as the kernel reports one), the next raises ENOSPC."""

    def __init__(self, room: int) -> None:
        self.room: int | None = room
        self.real_write = os.write

    def __call__(self, fd: int, data: bytes | memoryview) -> int:
        if self.room is None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written, self.room = self.real_write(fd, bytes(data[: self.room])), None
        return written


def failing_io(*_: object) -> None:
    raise OSError(errno.EIO, os.strerror(errno.EIO))


def entry(path: str, counter: int) -> FileEntry:
    return FileEntry(path, 0, counter, {"ME": counter}, (), False, "ME")  # empty: no blocks


@pytest.mark.parametrize("room", [0, 1, 8, 20])
def test_records_appended_after_a_disk_full_append_survive_a_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: int
) -> None:
    snapshot = tmp_path / "f.json"
    keeper = IndexFile(snapshot)
    index = keeper.load()
    index.entries["a"] = entry("a", 1)
    keeper.append([index.entries["a"]], index)
    index.entries["b"] = entry("b", 2)
    with monkeypatch.context() as disk_full:
        disk_full.setattr(os, "write", DiskFullAfter(room))
        with pytest.raises(OSError) as failed:
            keeper.append([index.entries["b"]], index)
    assert failed.value.errno == errno.ENOSPC
    journal = snapshot.with_suffix(".journal")
    assert journal.stat().st_size == HEADER_SIZE + len(put_record(index.entries["a"])) + room
    # Space again: the caller retries what failed, with what changed since.
    index.entries["c"] = entry("c", 3)
    keeper.append([index.entries["b"], index.entries["c"]], index)
    keeper.append(["a"], index)
    del index.entries["a"]
    assert IndexFile(snapshot).load().entries == index.entries


def test_a_cut_that_fails_is_tried_again_before_the_next_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "f.json"
    keeper = IndexFile(snapshot)
    index = keeper.load()
    index.entries["a"] = entry("a", 1)
    keeper.append([index.entries["a"]], index)
    index.entries["b"] = entry("b", 2)
    with monkeypatch.context() as disk_full:
        disk_full.setattr(os, "write", DiskFullAfter(9))
        with pytest.raises(OSError):
            keeper.append([index.entries["b"]], index)
    with monkeypatch.context() as failing_disk:
        failing_disk.setattr(os, "truncate", failing_io)
        with pytest.raises(OSError):
            keeper.append([index.entries["b"]], index)
    index.entries["c"] = entry("c", 3)
    keeper.append([index.entries["b"], index.entries["c"]], index)
    assert IndexFile(snapshot).load().entries == index.entries
