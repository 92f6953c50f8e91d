"""Bringing a synced folder's index up to the disk: the whole folder, the paths a file watcher
named, or one path before a peer's entry for it is decided.

A file whose size, mtime, inode change time and inode all match its entry (its ``stamp``) is
not read; the four come from the one stat the scan makes anyway. The ctime is what catches a
rewrite that keeps the size and sets the old mtime back (``os.utime``, ``touch -r``): no call
sets a ctime back. Any other file is hashed block by block, and gets a new version of ours
only if its blocks changed. One whose blocks, size and mtime are all as indexed (a ``chmod``,
an index written before stamps were kept) only has its stamp brought up to date: journalled,
not announced. A file changed in the last seconds keeps no stamp (``settled_stamp``): a second
write in the same timestamp tick could leave even its ctime as it was, so it is read again.

What the index knew and the disk no longer has becomes a deletion, except that a scan finding
the folder empty (or gone) where the index knew files is refused, not sent as deletions
(``refuse_if_vanished``), and so is every call on a folder that lacks its index's mark (made
again, or replaced: ``FolderState.refuse_if_replaced``), before it looks at anything: a
watcher's few paths, a peer's one path and a whole scan alike. Every call here does disk IO:
the folder runs them in worker threads.
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISDIR

from syncoxide.devices.index import STATE_FOLDER, FileEntry
from syncoxide.devices.tree_paths import in_state_folder, outermost, self_and_ancestors
from syncoxide.engine.device_sync.folder_port import refuse_if_vanished
from syncoxide.native.devices.disk_walk import hash_blocks, listing, settled_stamp, walk_files
from syncoxide.native.devices.folder_state import FolderState


class FolderScan:
    def __init__(self, state: FolderState) -> None:
        self.state = state

    def scan(self) -> list[FileEntry]:
        """The whole folder; the entries that changed."""
        state = self.state
        state.refuse_if_replaced()
        state.own_writes.forget()  # every path is looked at: no event to tell apart
        seen: set[str] = set()
        found = self._scan_files(str(state.root), "", seen)
        refuse_if_vanished(state.name, state.index, len(seen))
        changed = [entry for entry in found if entry is not None]
        for path, entry in list(state.index.entries.items()):
            if path not in seen and not entry.deleted:
                changed.append(state.put(state.gone(entry)))
        state.save_now()  # also stamps brought up to date, which are not announced
        return changed

    def scan_paths(self, paths: set[str], listings: set[str]) -> list[FileEntry]:
        """``paths`` alone (each a file, a folder with its tree, or a path now gone), and the
        entries of the folders in ``listings`` that the index and the disk disagree about;
        the entries that changed."""
        state = self.state
        state.refuse_if_replaced()  # the paths gone from a folder made again are no deletions
        paths, listings = self._without_our_echoes(paths, listings)
        paths |= self._listing_differences(listings)
        if "" in paths or not state.root.is_dir():
            return self.scan()  # the root itself: a full scan, refused if it vanished
        seen: set[str] = set()
        under: set[str] = set()  # what was indexed at or under these and not seen is gone
        changed = []
        for relative in outermost(p for p in paths if not in_state_folder(p)):
            changed += self._scan_path(relative, seen, under)
        gone = [entry for entry in self._indexed_under(under) if entry.path not in seen]
        if gone and len(gone) >= sum(not e.deleted for e in state.index.entries.values()):
            return [e for e in changed if e is not None] + self.scan()  # may refuse it
        changed += [state.put(state.gone(entry)) for entry in gone]
        found = [entry for entry in changed if entry is not None]
        state.save_now()
        return found

    def _without_our_echoes(self, paths: set[str], listings: set[str]) -> tuple[set[str], set[str]]:
        """``paths`` and ``listings`` less what only our own renames asked for: a path the
        disk and the index still show as we left it, and its folder's listing unless another
        path there asks for it (own_writes.py)."""
        state = self.state
        echoes = state.own_writes.echoes(paths, state.root, state.index)
        if not echoes:
            return paths, listings
        paths = paths - echoes
        asked = {path.rpartition("/")[0] for path in paths}
        echoed = {path.rpartition("/")[0] for path in echoes}
        return paths, {folder for folder in listings if folder not in echoed or folder in asked}

    def refresh(self, relative: str) -> FileEntry | None:
        """One path; its new entry if the disk had changed (journalled, for the caller to
        announce: the next scan will find nothing new)."""
        state = self.state
        state.refuse_if_replaced()  # a peer's entry arriving before the watcher's scan
        if not state.root.is_dir():  # gone (maybe to be made again): refused, as a scan is
            refuse_if_vanished(state.name, state.index, 0)
        path = state.root / relative
        known = state.index.entries.get(relative)
        found = None
        if path.is_file():
            found = self._scan_one(relative, path)
        elif known is not None and not known.deleted:
            found = state.put(state.gone(known))
        state.save_now()  # a new version, announced next: journalled first, as a scan's
        return found

    def _scan_path(self, relative: str, seen: set[str], under: set[str]) -> list[FileEntry | None]:
        path = os.path.join(self.state.root, relative)  # noqa: PTH118 - strings, as _scan_files
        try:
            stat = os.stat(path)  # noqa: PTH116
        except (FileNotFoundError, NotADirectoryError):
            stat = None
        known = self.state.index.entries.get(relative)
        if stat is None or S_ISDIR(stat.st_mode) or known is None or known.deleted:
            under.add(relative)  # not a file the index knows: look for entries at or under it
        if stat is None:
            return []
        if not S_ISDIR(stat.st_mode):
            seen.add(relative)
            return [self._scan_one(relative, path, stat)]
        if os.path.islink(path):  # noqa: PTH114 - a link to a folder is not followed
            return []
        return self._scan_files(path, relative + "/", seen)

    def _indexed_under(self, paths: set[str]) -> list[FileEntry]:
        """The live entries at or under ``paths``: a file that became a folder, a folder
        deleted or renamed away. One pass over the index, each entry's folders looked up."""
        if not paths:
            return []
        return [
            entry
            for path, entry in self.state.index.entries.items()
            if not entry.deleted and not paths.isdisjoint(self_and_ancestors(path))
        ]

    def _listing_differences(self, listings: set[str]) -> set[str]:
        """The entries of these folders that exist on disk but not in the index, or the other
        way round: a watcher's event may have been missed (files made in a new folder before
        its watch existed). Listing costs no stat per file; only the differences are scanned."""
        if not listings:
            return set()
        indexed: dict[str, set[str]] = {folder: set() for folder in listings}
        for path, entry in self.state.index.entries.items():
            if not entry.deleted:
                for folder, names in indexed.items():
                    if not folder or path.startswith(folder + "/"):
                        names.add(path[len(folder) + bool(folder) :].partition("/")[0])
        differences = set()
        for folder, names in indexed.items():
            prefix = folder + "/" if folder else ""
            on_disk = {item.name for item in listing(os.path.join(self.state.root, folder))}  # noqa: PTH118
            if not folder:
                on_disk.discard(STATE_FOLDER)
            differences |= {prefix + name for name in on_disk ^ names}
        return differences

    def _scan_files(self, directory: str, prefix: str, seen: set[str]) -> list[FileEntry | None]:
        """Every file under ``directory`` (relative path ``prefix``), as disk_walk walks it."""
        found = []
        for relative, path in walk_files(directory, prefix):
            seen.add(relative)
            found.append(self._scan_one(relative, path))
        return found

    def _scan_one(
        self, relative: str, path: str | Path, stat: os.stat_result | None = None
    ) -> FileEntry | None:
        """``relative``'s new entry if its content changed, else None (a stamp alone that
        changed is put, to be journalled, but not returned: there is nothing to announce)."""
        if self.state.cannot_travel(relative):
            return None
        try:
            stat = stat or os.stat(path)  # noqa: PTH116 - no Path object per file (disk_walk)
        except FileNotFoundError:
            return None
        if self.state.unchanged(
            relative, stat.st_size, stat.st_mtime_ns, (stat.st_ctime_ns, stat.st_ino)
        ):
            return None
        size, blocks = hash_blocks(path)
        # The stat was taken before the read: an edit during it moves the ctime past this one.
        stamp = settled_stamp(stat.st_ctime_ns, stat.st_ino)
        return self.state.hashed(relative, size, stat.st_mtime_ns, blocks, stamp=stamp)
