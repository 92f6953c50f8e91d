"""What a synced folder on disk knows, shared by its scans, its block reads and its pulls: the
index and its books (``folder_entries.py``, the same as a Provider folder's), loaded from and
journalled to its ``IndexFile``, what its own renames left on disk (so that the watcher's
events for them are not rescanned: own_writes.py), and the mark the folder must hold for the
index to trust it (folder_mark.py; None: not checked)."""

from __future__ import annotations

from pathlib import Path

from syncoxide.engine.device_sync.folder_entries import FolderEntries
from syncoxide.native.devices.disk_walk import tree_look
from syncoxide.native.devices.folder_mark import check_mark, read_mark
from syncoxide.native.devices.index_file import IndexFile
from syncoxide.native.devices.own_writes import OwnWrites


class FolderState(FolderEntries):
    def __init__(
        self, name: str, root: Path, journal: Path, me: str, *, mark: str | None = None
    ) -> None:
        self._file = IndexFile(journal)
        super().__init__(me, self._file.load())
        self.name, self.root, self.journal, self.mark = name, root, journal, mark
        self.own_writes = OwnWrites()

    def refuse_if_replaced(self) -> None:
        """Raise ``FolderReplacedError`` if the folder on disk is not the one the index
        describes (made again, or another put in its place); mark it if the index is fresh.
        One small file read: done before every scan and every decision about a peer's file."""
        if self.mark is not None:
            check_mark(self.name, self.root, self.index, self.mark)

    def look_if_back(self) -> tuple[int, int, int] | None:
        """For a folder refused or gone: None while it is away, else what its tree looks like
        (``tree_look``). Back means there, holding its mark (unless it keeps none, or its
        index is fresh and takes it as it is). Away, this costs one stat and one small read."""
        if not self.root.is_dir():
            return None
        if self.mark is not None and self.index.entries and read_mark(self.root) != self.mark:
            return None
        return tree_look(str(self.root))

    def save_now(self) -> None:
        """Journal the entries changed since the last save (durably: before any is announced)."""
        self._file.append(self.unsaved(), self.index)
        self.saved()
