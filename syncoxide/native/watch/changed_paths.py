"""One settled batch of a folder's changes, as its watchers hand them over
(``tree_changes.py``: inotify on Linux, watchfiles elsewhere)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from syncoxide.sync.paths import RESERVED_TOP

#: A batch is handed over once no event came for SETTLE seconds, or LONGEST seconds after its
#: first event: a file written in many pieces is scanned once, and a long copy still flows.
SETTLE = 0.05
LONGEST = 0.2


@dataclass(frozen=True)
class TreeChanges:
    """One settled batch of a folder's events, as paths relative to its root ('/'-separated)."""

    #: Rescan each alone: a file, a folder (with everything under it), or a path now gone.
    paths: frozenset[str] = frozenset()
    #: Folders ("" is the root) whose entries were created, deleted or renamed: compare their
    #: listing with the index, in case an event was missed.
    listings: frozenset[str] = frozenset()
    #: Events were lost (or the watch just started): scan the whole folder.
    full: bool = False


@dataclass
class Batch:
    """Changes gathered until they settle."""

    paths: set[str] = field(default_factory=set)
    listings: set[str] = field(default_factory=set)
    full: bool = False

    def changed(self, path: str, *, listing: bool) -> None:
        self.paths.add(path)
        if listing:
            self.listings.add(path.rpartition("/")[0])

    def __bool__(self) -> bool:
        return self.full or bool(self.paths)

    def frozen(self) -> TreeChanges:
        return TreeChanges(frozenset(self.paths), frozenset(self.listings), self.full)


def ours(relative: str) -> bool:
    """The folder's own state (scratch files, trash): never a user's change."""
    return relative == RESERVED_TOP or relative.startswith(RESERVED_TOP + "/")


Trouble = Callable[[str], None]


__all__ = ["LONGEST", "SETTLE", "Batch", "TreeChanges", "Trouble", "ours"]
