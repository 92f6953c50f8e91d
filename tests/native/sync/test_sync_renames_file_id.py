"""One-way sync between local folders pairs a renamed source file with the destination's old
copy without reading that copy: its digests are remembered from the copy that made it. The
renamed file itself is known by its file id (device and inode), size, mtime and ctime; a
rename moves the ctime on Linux, so there it is read once (``syncoxide.sync.digest_cache``):
a same-size edit with the old mtime set back must not move the old bytes to the new name.
Anything less than the very same file unchanged (another inode, an edit) is read and paired by
digest as before, or copied.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, RunReport, run_pair
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.sync.plan import ActionKind, Mode
from syncoxide.system import SystemClock, SystemRandom

T0 = 1_700_000_000_123_456_789  # ns: a time with a fraction of a second, as most files have
BIG = os.urandom(1_500_000)  # above the size a local pair keeps records for
#: BIG with its last byte changed: other bytes of the same size, whatever that byte was (a
#: fixed last byte equals a random one's once in 256 runs, and then it is a true rename).
EDITED = BIG[:-1] + bytes([BIG[-1] ^ 0xFF])


class _Counted(LocalProvider):
    """A local folder that counts the files it hashes or reads."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.read: list[str] = []

    async def hash(self, path: str, kind: str) -> str:
        self.read.append(path)
        return await super().hash(path, kind)


def _sync(one: LocalProvider, two: LocalProvider, store: MemoryPairStore) -> RunReport:
    options = RunOptions(mode=Mode.SYNC)
    run = run_pair(one, two, store, options, clock=SystemClock(), random=SystemRandom())
    report = asyncio.run(run)
    assert not report.failures, report.failures
    return report


def _kinds(report: RunReport) -> list[str]:
    return sorted(a.kind.value for a in report.plan.actions if a.kind is not ActionKind.MKDIR)


def _pair(tmp_path: Path) -> tuple[Path, Path, _Counted, _Counted, MemoryPairStore]:
    src, dst = tmp_path / "one", tmp_path / "two"
    (src / "d").mkdir(parents=True)
    dst.mkdir()
    for name, content in (("d/a", BIG), ("d/b", BIG[::-1])):
        (src / name).write_bytes(content)
        os.utime(src / name, ns=(T0, T0))
    one, two, store = _Counted(src), _Counted(dst), MemoryPairStore()
    _sync(one, two, store)
    one.read.clear()
    two.read.clear()
    return src, dst, one, two, store


def test_a_renamed_file_moves_without_reading_the_destination_copy(tmp_path: Path) -> None:
    src, dst, one, two, store = _pair(tmp_path)
    (src / "d/a").rename(src / "e")
    report = _sync(one, two, store)
    assert _kinds(report) == ["rename"]
    assert (one.read, two.read) == (["e"], [])  # the rename moved its ctime: read once
    assert (dst / "e").read_bytes() == BIG and not (dst / "d/a").exists()
    # The record followed the move: renamed back, the destination copy is still not read.
    one.read.clear()
    (src / "e").rename(src / "d/a")
    assert _kinds(_sync(one, two, store)) == ["rename"]
    assert (one.read, two.read) == (["d/a"], [])
    assert _sync(one, two, store).plan.actions == ()


def test_another_file_with_the_same_size_and_time_is_read_first(tmp_path: Path) -> None:
    src, dst, one, two, store = _pair(tmp_path)
    # Another file (maybe on the deleted one's inode, which the filesystem may reuse) with
    # other bytes of the same size and the same time in whole seconds, as an archive sets it.
    whole = T0 - T0 % 10**9
    for name in ("d/a", "d/b"):
        os.utime(src / name, ns=(whole, whole))
    _sync(one, two, store)
    one.read.clear()
    (src / "d/a").unlink()
    (src / "f").write_bytes(EDITED)
    os.utime(src / "f", ns=(whole, whole))
    report = _sync(one, two, store)
    assert _kinds(report) == ["copy", "delete"]
    assert "f" in one.read  # hashed to compare, then copied
    assert (dst / "f").read_bytes() == EDITED


def test_a_copy_of_the_file_pairs_by_digest_and_an_edit_is_copied(tmp_path: Path) -> None:
    src, dst, one, two, store = _pair(tmp_path)
    shutil.copy2(src / "d/a", src / "g")  # the same bytes under a new inode
    (src / "d/a").unlink()
    (src / "d/b").rename(src / "h")
    with (src / "h").open("r+b") as edited:  # renamed, then edited in place: new mtime
        edited.write(b"edit")
    report = _sync(one, two, store)
    assert _kinds(report) == ["copy", "delete", "rename"]
    assert "g" in one.read  # the copy was proven by its digest, not by a file id
    assert (dst / "g").read_bytes() == BIG
    assert (dst / "h").read_bytes() == b"edit" + BIG[::-1][4:]


def test_a_renamed_file_edited_with_its_old_mtime_set_back_is_copied_not_moved(
    tmp_path: Path,
) -> None:
    # A tag editor that "preserves the modification time" rewrites a tag in its padding (the
    # size stays), then the file is renamed by its new tags: same inode, size and mtime.
    src, dst, one, two, store = _pair(tmp_path)
    (src / "d/a").rename(src / "e")
    with (src / "e").open("r+b") as edited:
        edited.write(b"new tag")
    os.utime(src / "e", ns=(T0, T0))
    assert _kinds(_sync(one, two, store)) == ["copy", "delete"]  # no digest pairs it
    assert "e" in one.read
    assert (dst / "e").read_bytes() == b"new tag" + BIG[7:]
    assert _sync(one, two, store).plan.actions == ()
