"""What a folder watcher counts as a user's change (``sync --watch`` and the device daemon
share the filter): everything but the folder's own top ``.syncoxide`` and partial writes."""

from __future__ import annotations

from pathlib import Path

from watchfiles import Change

from syncoxide.native.watch.local_events import FolderEvents
from syncoxide.providers.contract import PARTIAL_PREFIX


def test_only_the_folders_own_state_and_partial_writes_are_left_out(tmp_path: Path) -> None:
    relevant = FolderEvents(tmp_path).relevant
    ours = [".syncoxide", ".syncoxide/trash/x.txt", f"docs/{PARTIAL_PREFIX}x.txt"]
    users = ["notes.txt", "sub/.syncoxide/notes.txt", ".syncoxide-notes.txt", "sub/.syncoxide"]
    assert [p for p in ours if relevant(Change.modified, str(tmp_path / p))] == []
    assert [p for p in users if relevant(Change.added, str(tmp_path / p))] == users
