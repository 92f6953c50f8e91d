"""A CLI folder's mark on disk: its index only trusts the folder it was added for. A folder
deleted and made again at the same place lists like the indexed one with files deleted; every
way into the index (opening, a full scan, a watcher's few paths, a peer's one path) refuses it
before anything counts as deleted. Folders kept by earlier releases are adopted, not refused."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from syncoxide.engine.device_sync.folder_port import MARK_FILE
from syncoxide.errors import EmptySideError, FolderReplacedError, PermissionDeniedError
from syncoxide.native.devices.folder_mark import adopt, read_mark
from syncoxide.native.devices.folders import FolderBook
from syncoxide.native.devices.local_folder import LocalFolder

PEER, OTHER = "L2B2OCY-UWNPEPS-UHBBE2C-3FNEJP7", "RGVPYHK-6X7Q5EO-DFOOKZM-45WFYEJ"


def opened(tmp_path: Path, root: Path, mark: str | None) -> LocalFolder:
    local = LocalFolder("photos", root, tmp_path / "index" / "photos.json", "ME", mark=mark)
    local.refuse_if_replaced()
    return local


def synced_three(tmp_path: Path) -> tuple[Path, LocalFolder]:
    root = tmp_path / "photos"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(name)
    local = opened(tmp_path, root, "first-add")
    assert len(asyncio.run(local.scan())) == 3
    return root, local


def made_again(root: Path) -> None:
    shutil.rmtree(root)
    root.mkdir()
    (root / "only-here.txt").write_text("new")


def live(local: LocalFolder) -> set[str]:
    return {path for path, entry in local.index.entries.items() if not entry.deleted}


def test_a_fresh_index_marks_its_folder_durably_and_the_mark_is_never_indexed(
    tmp_path: Path,
) -> None:
    root, local = synced_three(tmp_path)
    assert read_mark(root) == "first-add"
    assert MARK_FILE not in local.index.entries
    assert sorted(p.name for p in (root / ".syncoxide").iterdir()) == ["folder-mark"]  # no temp


def test_a_folder_made_again_is_refused_by_every_way_in_and_nothing_counts_as_deleted(
    tmp_path: Path,
) -> None:
    root, local = synced_three(tmp_path)
    made_again(root)
    with pytest.raises(FolderReplacedError, match="not the one synced before") as caught:
        asyncio.run(local.scan())
    assert "folders remove photos, then add it again" in (caught.value.hint or "")
    gone = {"a.txt", "b.txt", "c.txt"}
    with pytest.raises(FolderReplacedError):  # the watcher names the files gone, and one new
        asyncio.run(local.scan_paths({"a.txt", "only-here.txt"}, {""}))
    with pytest.raises(FolderReplacedError):  # a peer's entry for a file the folder lacks
        asyncio.run(local.refresh("b.txt"))
    assert live(local) == gone
    with pytest.raises(FolderReplacedError, match="is missing"):  # a restart: when opened
        opened(tmp_path, root, "first-add")
    assert read_mark(root) is None  # a refused folder is not marked


def test_another_folders_mark_is_refused(tmp_path: Path) -> None:
    root, _ = synced_three(tmp_path)
    (root / MARK_FILE).write_text("someone-else")
    with pytest.raises(FolderReplacedError, match="another folder's"):
        opened(tmp_path, root, "first-add")


def test_a_vanished_folder_is_left_to_the_scan_which_refuses_it_as_before(tmp_path: Path) -> None:
    root, local = synced_three(tmp_path)
    shutil.rmtree(root)
    local = opened(tmp_path, root, "first-add")  # not refused when opened: a drive may be back
    assert not root.exists()  # and nothing made it again
    with pytest.raises(EmptySideError):  # a peer's entry meanwhile: no file counts as deleted
        asyncio.run(local.refresh("a.txt"))
    with pytest.raises(EmptySideError):
        asyncio.run(local.scan())
    assert live(local) == {"a.txt", "b.txt", "c.txt"}


def test_adding_gives_an_id_and_removing_then_adding_starts_a_fresh_index(tmp_path: Path) -> None:
    book, root = FolderBook(tmp_path), tmp_path / "photos"
    first = book.add("photos", root, [PEER], "send-receive")
    assert first.folder_id
    local = opened(tmp_path, root, first.folder_id)
    (root / "a.txt").write_text("a")
    asyncio.run(local.scan())
    again = book.add("photos", root, [PEER, OTHER], "send-receive")  # other peers, same place
    assert again.folder_id == first.folder_id
    journal = book.index_path("photos").with_suffix(".journal")
    assert journal.exists()
    book.remove("photos")
    assert not journal.exists()
    made_again(root)
    fresh = book.add("photos", root, [PEER], "send-receive")
    assert fresh.folder_id not in (None, first.folder_id)
    local = opened(tmp_path, root, fresh.folder_id)
    assert read_mark(root) == fresh.folder_id
    assert [(e.path, e.deleted) for e in asyncio.run(local.scan())] == [("only-here.txt", False)]


def test_a_folder_moved_to_another_path_starts_fresh_too(tmp_path: Path) -> None:
    book = FolderBook(tmp_path)
    first = book.add("photos", tmp_path / "photos", [PEER], "send-receive")
    opened(tmp_path, tmp_path / "photos", first.folder_id)
    book.index_path("photos").parent.mkdir()
    book.index_path("photos").write_text("stale")
    moved = book.add("photos", tmp_path / "elsewhere", [PEER], "send-receive")
    assert moved.folder_id != first.folder_id
    assert not book.index_path("photos").exists()


def test_a_folder_kept_by_an_earlier_release_is_adopted_as_it_is(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    legacy = opened(tmp_path, root, None)
    (root / "a.txt").write_text("a")
    asyncio.run(legacy.scan())  # an index with entries, and no mark
    config = {"version": 1, "folders": {"photos": {"path": str(root), "with": [PEER]}}}
    (tmp_path / FolderBook.FILE).write_text(json.dumps(config))
    book = FolderBook(tmp_path)
    [kept] = book.folders().values()
    assert kept.folder_id is None
    adopted = adopt(book, kept)
    assert adopted.folder_id is not None
    assert read_mark(root) == adopted.folder_id
    assert book.folders()["photos"] == adopted
    local = opened(tmp_path, root, adopted.folder_id)  # not refused
    (root / "b.txt").write_text("b")
    assert [(e.path, e.deleted) for e in asyncio.run(local.scan())] == [("b.txt", False)]
    assert adopt(book, adopted) is adopted  # once


def test_a_legacy_folder_that_is_gone_is_not_adopted_nor_made_again(tmp_path: Path) -> None:
    config = {"version": 1, "folders": {"photos": {"path": str(tmp_path / "gone"), "with": []}}}
    (tmp_path / FolderBook.FILE).write_text(json.dumps(config))
    book = FolderBook(tmp_path)
    [kept] = book.folders().values()
    assert adopt(book, kept) is kept
    assert not (tmp_path / "gone").exists()
    assert book.folders()["photos"].folder_id is None


def test_a_folder_that_cannot_hold_its_mark_is_not_synced_and_a_legacy_one_as_before(
    tmp_path: Path,
) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    (root / ".syncoxide").write_text("a file where the state folder goes")  # mkdir fails
    with pytest.raises(PermissionDeniedError, match="cannot hold its mark"):
        opened(tmp_path, root, "first-add")
    config = {"version": 1, "folders": {"photos": {"path": str(root), "with": []}}}
    (tmp_path / FolderBook.FILE).write_text(json.dumps(config))
    book = FolderBook(tmp_path)
    [kept] = book.folders().values()
    assert adopt(book, kept) is kept  # left unmarked and unchecked, as an earlier release did


def test_a_folder_away_is_back_once_it_holds_its_mark_and_stops_changing(tmp_path: Path) -> None:
    root, local = synced_three(tmp_path)
    kept = tmp_path / "kept"
    shutil.copytree(root, kept)
    shutil.rmtree(root)
    assert not asyncio.run(local.back_and_settled(0))  # gone
    root.mkdir()
    (root / "only-here.txt").write_text("new")
    assert not asyncio.run(local.back_and_settled(0))  # made again: no mark
    shutil.rmtree(root)
    shutil.copytree(kept, root)
    assert asyncio.run(local.back_and_settled(0))  # put back, mark and all

    async def while_copying() -> bool:
        looking = asyncio.create_task(local.back_and_settled(0.5))
        await asyncio.sleep(0.1)
        (root / "late.txt").write_text("still being copied back")
        return await looking

    assert not asyncio.run(while_copying())  # a scan now could miss what is still to come
