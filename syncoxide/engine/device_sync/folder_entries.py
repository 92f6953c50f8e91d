"""What a synced folder's index knows and owes, whatever storage holds the folder: its entries,
the paths changed since the last save (journalled by the next one, in order) and where each
block hash can be read locally. The CLI's folder on disk (``native/devices/folder_state.py``)
and the one on a Provider (``provider_folder.py``) keep these same books; only how a save
reaches storage differs.
"""

from __future__ import annotations

from collections.abc import KeysView
from dataclasses import replace

from syncoxide.devices.index import FileEntry, FolderIndex, Stamp, merged
from syncoxide.safe_names import travels


class FolderEntries:
    def __init__(self, me: str, index: FolderIndex | None = None) -> None:
        self.me = me
        self.index = FolderIndex()
        self._unsaved: dict[str, None] = {}  # paths changed since the last save, in order
        # Where each block hash can be read locally, kept as entries are put (not rebuilt per
        # file: that made taking N files cost N^2). A stale place is harmless: every local
        # read is checked against the hash, and a miss fetches the block from the peer.
        self.held: dict[str, tuple[str, int]] = {}
        # Files whose names every peer refuses (a backslash, a control character): kept here,
        # never announced (a peer refuses a whole index page for one such path), told once.
        self.kept_here: dict[str, bool] = {}  # path -> told already
        self.loaded(index or FolderIndex())

    def loaded(self, index: FolderIndex) -> None:
        """Start from ``index`` as storage holds it: nothing unsaved, its blocks noted."""
        self.index = index
        self._unsaved.clear()
        for entry in index.entries.values():
            self._note_blocks(entry)

    def unsaved(self) -> list[FileEntry | str]:
        """What the next save journals: each changed path's entry, or the path if dropped."""
        entries = self.index.entries
        return [entries.get(path, path) for path in self._unsaved]

    def saved(self) -> None:
        """The changes ``unsaved`` gave are durable."""
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

    def unchanged(self, path: str, size: int, mtime_ns: int, stamp: Stamp | None = None) -> bool:
        """Whether a file found with this size and mtime is as indexed (it is not read). Where
        storage shows a ctime and inode (``stamp``, a disk's), they must match too: an entry
        without one (an older index, a file just taken from a peer) is then read once."""
        known = self.index.entries.get(path)
        if not known or known.deleted or (known.size, known.mtime_ns) != (size, mtime_ns):
            return False
        return stamp is None or known.stamp == stamp

    def hashed(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        blocks: tuple[str, ...],
        *,
        stamp: Stamp | None = None,
    ) -> FileEntry | None:
        """Index a file just read: a new version of ours only if its blocks changed. None when
        peers would see no change (same blocks, size and mtime: a chmod, or a file read again
        for want of a stamp): that is indexed, with its new stamp, but not announced."""
        known = self.index.entries.get(path)
        if known and not known.deleted and known.blocks == blocks:
            same = self.put(replace(known, size=size, mtime_ns=mtime_ns, stamp=stamp))
            return same if (known.size, known.mtime_ns) != (size, mtime_ns) else None
        version = dict(known.version) if known else {}
        version[self.me] = version.get(self.me, 0) + 1
        return self.put(FileEntry(path, size, mtime_ns, version, blocks, False, self.me, stamp))

    def merge_version(self, path: str, theirs: FileEntry) -> None:
        """Same content as ``theirs``: only our entry's version vector takes theirs in."""
        ours = self.index.entries[path]
        self.put(replace(ours, version=merged(ours.version, theirs.version)))

    def cannot_travel(self, path: str) -> bool:
        """Whether ``path`` is a name peers refuse; if so it is noted in ``kept_here`` (and
        any entry an older version made for it dropped: it must never be announced)."""
        if travels(path):
            return False
        self.kept_here.setdefault(path, False)
        if path in self.index.entries:
            self.drop(path)
        return True

    def untold_kept_here(self) -> list[str]:
        """The files ``kept_here`` not reported yet (each is reported once)."""
        untold = [path for path, told in self.kept_here.items() if not told]
        self.kept_here.update(dict.fromkeys(untold, True))
        return untold

    def held_digests(self) -> KeysView[str]:
        """The block digests this folder holds (a live view: read it before the next write)."""
        return self.held.keys()

    def _note_blocks(self, entry: FileEntry) -> None:
        if not entry.deleted:
            for number, digest in enumerate(entry.blocks):
                self.held[digest] = (entry.path, number)
