"""Scanning only the paths a watcher named: one changed file in 10,000 is the only one looked
at, and folders renamed or deleted leave the index as a full scan would."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from syncoxide.devices.index import FileEntry
from syncoxide.errors import EmptySideError
from syncoxide.native.devices.local_folder import LocalFolder


def folder(tmp_path: Path) -> LocalFolder:
    root = tmp_path / "files"
    root.mkdir(exist_ok=True)
    return LocalFolder("f", root, tmp_path / "index.json", "ME")


def write(root: Path, relative: str, body: bytes = b"x") -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_bytes(body)


def scan_paths(local: LocalFolder, paths: set[str], listings: set[str] = set()) -> list[FileEntry]:  # noqa: B006 - never changed
    return asyncio.run(local.scan_paths(paths, listings))


def live(local: LocalFolder) -> dict[str, bytes | None]:
    return {p: None for p, e in sorted(local.index.entries.items()) if not e.deleted}


def as_full_scan_sees_it(tmp_path: Path, local: LocalFolder) -> dict[str, bytes | None]:
    """What a fresh full scan of the same disk indexes: the answer an incremental one must give."""
    fresh = LocalFolder("f", local.root, tmp_path / "fresh.json", "ME")
    asyncio.run(fresh.scan())
    return live(fresh)


def test_one_change_in_ten_thousand_files_looks_at_that_file_alone(
    tmp_path: Path, looked_at: list[str]
) -> None:
    local = folder(tmp_path)
    for number in range(10_000):
        write(local.root, f"d{number % 50:02}/f{number:05}.txt", b"%d" % number)
    asyncio.run(local.scan())
    write(local.root, "d07/f00007.txt", b"changed")
    looked_at.clear()
    [changed] = scan_paths(local, {"d07/f00007.txt"})
    assert changed.path == "d07/f00007.txt" and changed.version == {"ME": 2}
    touched = [line for line in looked_at if f"{local.root}/" in line]  # the root's own stat aside
    assert touched == [f"stat {local.root / 'd07/f00007.txt'}"]
    assert scan_paths(local, {"d07/f00007.txt"}) == []  # nothing new the second time


def test_a_new_file_lists_its_folder_but_stats_only_what_the_index_lacks(
    tmp_path: Path, looked_at: list[str]
) -> None:
    local = folder(tmp_path)
    for number in range(300):
        write(local.root, f"flat/f{number:03}.txt")
    asyncio.run(local.scan())
    write(local.root, "flat/new.txt")
    write(local.root, "flat/missed.txt")  # its event was lost: the listing finds it
    looked_at.clear()
    changed = scan_paths(local, {"flat/new.txt"}, {"flat"})
    assert sorted(e.path for e in changed) == ["flat/missed.txt", "flat/new.txt"]
    assert sorted(line for line in looked_at if line.startswith(f"stat {local.root}/")) == [
        f"stat {local.root / 'flat/missed.txt'}",
        f"stat {local.root / 'flat/new.txt'}",
    ]


def test_a_folder_renamed_moves_its_whole_tree(tmp_path: Path) -> None:
    local = folder(tmp_path)
    for relative in ("keep.txt", "a/one.txt", "a/b/two.txt", "a/b/c/three.txt", "ab.txt"):
        write(local.root, relative, relative.encode())
    asyncio.run(local.scan())
    (local.root / "a").rename(local.root / "z")
    changed = scan_paths(local, {"a", "z"}, {""})
    gone = sorted(e.path for e in changed if e.deleted)
    assert gone == ["a/b/c/three.txt", "a/b/two.txt", "a/one.txt"]  # not ab.txt
    assert sorted(e.path for e in changed if not e.deleted) == [
        "z/b/c/three.txt", "z/b/two.txt", "z/one.txt",
    ]  # fmt: skip
    assert live(local) == as_full_scan_sees_it(tmp_path, local)


def test_a_folder_deleted_deletes_what_was_under_it_and_only_that(tmp_path: Path) -> None:
    local = folder(tmp_path)
    for relative in ("keep/x.txt", "gone/x.txt", "gone/deep/y.txt", "gone.txt"):
        write(local.root, relative)
    asyncio.run(local.scan())
    shutil.rmtree(local.root / "gone")
    changed = scan_paths(local, {"gone"}, {""})
    assert sorted(e.path for e in changed) == ["gone/deep/y.txt", "gone/x.txt"]
    assert all(e.deleted and e.version == {"ME": 2} for e in changed)
    assert set(live(local)) == {"keep/x.txt", "gone.txt"}


def test_a_file_turned_into_a_folder_and_back(tmp_path: Path) -> None:
    local = folder(tmp_path)
    write(local.root, "keep.txt")
    write(local.root, "thing")
    asyncio.run(local.scan())
    (local.root / "thing").unlink()
    write(local.root, "thing/inside.txt")
    scan_paths(local, {"thing"}, {""})
    assert set(live(local)) == {"keep.txt", "thing/inside.txt"}
    shutil.rmtree(local.root / "thing")
    write(local.root, "thing", b"a file again")
    scan_paths(local, {"thing"}, {""})
    assert set(live(local)) == {"keep.txt", "thing"}
    assert live(local) == as_full_scan_sees_it(tmp_path, local)


def test_a_link_to_a_folder_is_not_followed_as_in_a_full_scan(tmp_path: Path) -> None:
    local = folder(tmp_path)
    write(local.root, "keep.txt")
    write(tmp_path / "outside", "secret.txt")
    asyncio.run(local.scan())
    (local.root / "link").symlink_to(tmp_path / "outside")
    assert scan_paths(local, {"link"}, {""}) == []
    assert live(local) == as_full_scan_sees_it(tmp_path, local) == {"keep.txt": None}


def test_the_state_folder_is_never_scanned(tmp_path: Path) -> None:
    local = folder(tmp_path)
    write(local.root, "keep.txt")
    write(local.root, ".syncoxide/tmp/scratch")
    asyncio.run(local.scan())
    assert scan_paths(local, {".syncoxide", ".syncoxide/tmp/scratch"}, {"", ".syncoxide"}) == []
    assert set(live(local)) == {"keep.txt"}


def test_deleting_every_file_is_refused_as_a_full_scan_refuses_it(tmp_path: Path) -> None:
    local = folder(tmp_path)
    write(local.root, "only/a.txt")
    write(local.root, "only/b.txt")
    asyncio.run(local.scan())
    shutil.rmtree(local.root / "only")
    with pytest.raises(EmptySideError):
        scan_paths(local, {"only"}, {""})
    assert set(live(local)) == {"only/a.txt", "only/b.txt"}  # nothing sent as deleted


def test_a_vanished_root_is_refused(tmp_path: Path) -> None:
    local = folder(tmp_path)
    write(local.root, "a.txt")
    asyncio.run(local.scan())
    shutil.rmtree(local.root)
    with pytest.raises(EmptySideError):
        scan_paths(local, {"a.txt"})


@pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")
def test_the_watcher_and_the_incremental_scan_agree_with_a_full_scan(tmp_path: Path) -> None:
    """Real inotify batches applied to the index, one step of folder moves at a time."""
    from syncoxide.native.watch.inotify_tree import inotify_changes  # Linux only

    local = folder(tmp_path)
    outside = tmp_path / "outside"
    write(outside, "brought/in.txt")
    write(outside, "brought/deeper/in2.txt")
    steps: list[Callable[[], object]] = [
        lambda: write(local.root, "a/b/c/one.txt"),
        lambda: write(local.root, "a/two.txt"),
        lambda: (local.root / "a").rename(local.root / "moved"),
        lambda: (local.root / "moved" / "b").rename(local.root / "b-up"),
        lambda: (outside / "brought").rename(local.root / "moved" / "brought"),
        lambda: (local.root / "b-up").rename(outside / "b-out"),
        lambda: shutil.rmtree(local.root / "moved" / "brought"),
        lambda: write(local.root, "moved/two.txt", b"edited"),
    ]

    async def test() -> None:
        changes = inotify_changes(local.root, print)
        await anext(changes)  # the start: a full scan, with nothing to find
        for step in steps:
            step()
            expected = await asyncio.to_thread(as_full_scan_sees_it, tmp_path, local)
            while live(local) != expected:
                batch = await asyncio.wait_for(anext(changes), 10)
                assert not batch.full
                await local.scan_paths(batch.paths, batch.listings)
        await changes.aclose()  # type: ignore[attr-defined]

    asyncio.run(asyncio.wait_for(test(), 60))
    assert set(live(local)) == {"moved/two.txt"}
