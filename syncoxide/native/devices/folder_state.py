"""What a synced folder on disk knows, shared by its scans, its block reads and its pulls: the
index, loaded from and journalled to its ``IndexFile``, the paths changed since the last save,
where each block hash can be read locally, and what its own renames left on disk (so that the
watcher's events for them are not rescanned: own_writes.py)."""

from __future__ import annotations

from collections.abc import KeysView
from pathlib import Path

from syncoxide.devices.index import FileEntry
from syncoxide.native.devices.index_file import IndexFile
from syncoxide.native.devices.own_writes import OwnWrites


class FolderState:
    def __init__(self, name: str, root: Path, journal: Path, me: str) -> None:
        self.name, self.root, self.journal, self.me = name, root, journal, me
        self._file = IndexFile(journal)
        self.index = self._file.load()
        self._unsaved: dict[str, None] = {}  # paths changed since the last save, in order
        # Where each block hash can be read locally, kept as entries are put (not rebuilt per
        # file: that made taking N files cost N^2). A stale place is harmless: every local
        # read is checked against the hash, and a miss fetches the block from the peer.
        self.held: dict[str, tuple[str, int]] = {}
        self.own_writes = OwnWrites()
        for entry in self.index.entries.values():
            self._note_blocks(entry)

    def save_now(self) -> None:
        """Journal the entries changed since the last save (durably: before any is announced)."""
        entries = self.index.entries
        changes = [entries.get(path, path) for path in self._unsaved]
        self._file.append(changes, self.index)
        self._unsaved.clear()

    def put(self, entry: FileEntry) -> FileEntry:
        """Index ``entry`` (to be journalled by the next save) and note its blocks."""
        self.index.entries[entry.path] = entry
        self._unsaved[entry.path] = None
        self._note_blocks(entry)
        return entry

    def drop(self, path: str) -> None:
        """Forget ``path``'s entry, if any (journalled by the next save as removed)."""
        self.index.entries.pop(path, None)
        self._unsaved[path] = None

    def gone(self, entry: FileEntry) -> FileEntry:
        """``entry`` deleted here: a new version of ours, with no blocks."""
        version = {**entry.version, self.me: entry.version.get(self.me, 0) + 1}
        return FileEntry(entry.path, 0, entry.mtime_ns, version, (), True, self.me)

    def held_digests(self) -> KeysView[str]:
        """The block digests this folder holds (a live view: read it before the next write)."""
        return self.held.keys()

    def _note_blocks(self, entry: FileEntry) -> None:
        if not entry.deleted:
            for number, digest in enumerate(entry.blocks):
                self.held[digest] = (entry.path, number)
