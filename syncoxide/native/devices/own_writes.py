"""The folder's own writes, told apart from a user's: a file a peer sent, renamed into place,
raises an inotify event like any other, and rescanning it compared the parent folder's listing
with the index, a cost that grew with the folder (0.28 ms at 1,000 files) for every file taken.

When this folder renames something into place (or away, to the trash) it notes what the disk
then shows at that path: the file's inode, size, mtime and ctime, or that nothing is there. A
watcher's event for the path is our own echo when the disk still shows exactly that and the
index says the same; it is then left out of the rescan, with the parent's listing check it
asked for (unless another path of the batch in that folder asks for it too). Any later change
by a user moves the ctime (the kernel sets it on every write, rename or attribute change and no
call sets it back), so an edit made just after a receive is scanned as usual. And since an echo
needs the disk's size and mtime to be the index's, a path left out is one the scan would have
found unchanged anyway: what is saved is the stat and the listing, never a change. A note is
used up by the first batch that names its path, and forgotten by a full scan.

The fingerprint is taken after the rename, and kept only if the inode, size and mtime are still
those of the file before it was renamed: an edit that slipped in between is not mistaken for
ours.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from syncoxide.devices.index import FolderIndex

#: Notes kept at most: each is used up by the event it foresees, so only a watcher that lost
#: events (a full scan follows, forgetting them all) or none running leaves them behind.
MAX_NOTES = 4096


@dataclass(frozen=True)
class OnDisk:
    """What a path held just after we wrote it (``None`` in its place: nothing)."""

    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, stat: os.stat_result) -> OnDisk:
        return cls(stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


class OwnWrites:
    def __init__(self) -> None:
        self._notes: dict[str, OnDisk | None] = {}

    def rename(self, source: Path, target: Path, relative: str | None) -> OnDisk | None:
        """Rename ``source`` over ``target`` and note what ``relative`` (the synced path
        renamed to, None for a place outside the synced tree) holds after it; that, or None
        when it is not known to be what was renamed (an edit slipped in, or none is noted)."""
        before = os.lstat(source)
        source.replace(target)
        if relative is None:
            return None
        try:
            after = os.lstat(target)
        except FileNotFoundError:
            return None  # gone already: a user's doing, left to the scan
        if (after.st_ino, after.st_size, after.st_mtime_ns) != (
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        ):
            return None
        on_disk = OnDisk.of(after)
        self._note(relative, on_disk)
        return on_disk

    def removed(self, relative: str) -> None:
        """``relative`` was just moved away by us (to the trash)."""
        self._note(relative, None)

    def _note(self, relative: str, on_disk: OnDisk | None) -> None:
        self._notes.pop(relative, None)  # the newest last: the oldest is let go first
        self._notes[relative] = on_disk
        if len(self._notes) > MAX_NOTES:
            del self._notes[next(iter(self._notes))]

    def forget(self) -> None:
        """A full scan looks at everything: no event needs telling apart any more."""
        self._notes.clear()

    def echoes(self, paths: Iterable[str], root: Path, index: FolderIndex) -> set[str]:
        """The ``paths`` whose events we caused: the disk and the index both still show what
        we left there. Every note for ``paths`` is used up, echo or not."""
        found = set()
        for relative in paths:
            if relative not in self._notes:
                continue
            noted = self._notes.pop(relative)
            if _on_disk(root, relative) == noted and _indexed_as(index, relative, noted):
                found.add(relative)
        return found


def _on_disk(root: Path, relative: str) -> OnDisk | bool | None:
    """What ``relative`` holds now; False when that cannot be known (not a file we could stat)."""
    try:
        return OnDisk.of(os.lstat(os.path.join(root, relative)))  # noqa: PTH118
    except FileNotFoundError:
        return None
    except OSError:
        return False


def _indexed_as(index: FolderIndex, relative: str, noted: OnDisk | None) -> bool:
    entry = index.entries.get(relative)
    if noted is None:
        return entry is None or entry.deleted
    return (
        entry is not None
        and not entry.deleted
        and (entry.size, entry.mtime_ns) == (noted.size, noted.mtime_ns)
    )


__all__ = ["MAX_NOTES", "OnDisk", "OwnWrites"]
