"""What a synced folder on disk knows, shared by its scans, its block reads and its pulls: the
index and its books (``folder_entries.py``, the same as a Provider folder's), loaded from and
journalled to its ``IndexFile``, and what its own renames left on disk (so that the watcher's
events for them are not rescanned: own_writes.py)."""

from __future__ import annotations

from pathlib import Path

from syncoxide.engine.device_sync.folder_entries import FolderEntries
from syncoxide.native.devices.index_file import IndexFile
from syncoxide.native.devices.own_writes import OwnWrites


class FolderState(FolderEntries):
    def __init__(self, name: str, root: Path, journal: Path, me: str) -> None:
        self._file = IndexFile(journal)
        super().__init__(me, self._file.load())
        self.name, self.root, self.journal = name, root, journal
        self.own_writes = OwnWrites()

    def save_now(self) -> None:
        """Journal the entries changed since the last save (durably: before any is announced)."""
        self._file.append(self.unsaved(), self.index)
        self.saved()
