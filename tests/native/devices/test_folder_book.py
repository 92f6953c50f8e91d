"""folders.json and peers.json with several writers at once: ``devices folders add`` run twice
at the same moment, or while the daemon gives an older folder its id, must lose no change (each
write reads, changes and replaces the file under one lock: FolderBook._update)."""

from __future__ import annotations

import json
import multiprocessing
import threading
from multiprocessing.synchronize import Barrier
from pathlib import Path

from syncoxide.native.devices.folders import FolderBook
from syncoxide.native.p2p.signal import RoomAddress

PEER = "L2B2OCY-UWNPEPS-UHBBE2C-3FNEJP7"
WRITERS, EACH = 4, 15


def add_many(config: str, writer: int, start: Barrier) -> None:
    """One ``devices folders add`` after another, as fast as they go (a separate process)."""
    book = FolderBook(Path(config))
    start.wait()
    for number in range(EACH):
        book.add(f"w{writer}-{number}", Path(config).parent / f"w{writer}-{number}", [PEER],
                 "send-receive")  # fmt: skip


def test_processes_adding_folders_at_once_lose_none(tmp_path: Path) -> None:
    config = tmp_path / "devices"
    forked = multiprocessing.get_context("fork")
    start = forked.Barrier(WRITERS)
    writers = [
        forked.Process(target=add_many, args=(str(config), writer, start))
        for writer in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    kept = FolderBook(config).folders()
    assert len(kept) == WRITERS * EACH
    assert len({folder.folder_id for folder in kept.values()}) == WRITERS * EACH
    left = sorted(path.name for path in config.iterdir())
    assert left == [".folders.json.lock", "folders.json"]  # no staging file left behind


def test_threads_with_their_own_lock_files_lose_none_of_adds_removes_and_meetings(
    tmp_path: Path,
) -> None:
    book = FolderBook(tmp_path)
    book.add("kept", tmp_path / "kept", [PEER], "send-receive")
    book.add("dropped", tmp_path / "dropped", [PEER], "send-receive")
    start = threading.Barrier(3)

    def adds() -> None:
        start.wait()
        for number in range(EACH):
            FolderBook(tmp_path).add(f"t{number}", tmp_path / f"t{number}", [PEER], "send-only")

    def removes_and_meets() -> None:
        start.wait()
        FolderBook(tmp_path).remove("dropped")
        for number in range(EACH):
            address = RoomAddress("https://example.test", f"room-{number}", "token")
            FolderBook(tmp_path).remember_meeting(f"peer-{number}", address)

    threads = [threading.Thread(target=work) for work in (adds, removes_and_meets)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join(60)
    assert set(book.folders()) == {"kept", *(f"t{number}" for number in range(EACH))}
    assert len(json.loads((tmp_path / "peers.json").read_text())["peers"]) == EACH
    assert book.meeting("peer-3") == RoomAddress("https://example.test", "room-3", "token")
