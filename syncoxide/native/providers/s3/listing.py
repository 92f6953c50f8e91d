"""Folders out of a flat S3 key listing.

S3 has keys, not folders: ``a/b/c.txt`` implies folders ``a`` and ``a/b``, and an empty folder
exists only through a zero-byte marker: ours is a hidden file ``a/empty/.sxdir``; keys ending
in ``/`` (``a/empty/``, as consoles write them) are read as markers too. We do not write the
``/`` form because S3 servers backed by a file system (rclone serve s3) turn it into a file
named ``empty``, which then blocks writes into the folder. ``FlatWalk`` turns pages
of keys into folder entries (each reported once) and the file keys to stat, skipping pruned
subtrees as it meets them, so one paginated listing serves the whole tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from syncoxide.providers.contract import PrunePredicate

MARKER_NAME = ".sxdir"


@dataclass
class FlatWalk:
    prune: PrunePredicate | None
    seen: set[str] = field(default_factory=set)
    pruned: set[str] = field(default_factory=set)
    #: The folder (with its "/") of the last key kept: keys come sorted, so most share the
    #: previous one's, whose folders are already reported and not pruned.
    open_folder: str | None = None

    def place(self, relative: str) -> tuple[list[str], bool]:
        """For one key below the root: (folders first met here, whether the key is kept).

        A marker key keeps no file; its folders are reported like any other.
        """
        head = relative[: relative.rfind("/") + 1]  # "a/b/" of "a/b/c.txt", "" at the top
        if head == self.open_folder:
            return [], relative[len(head) :] not in ("", MARKER_NAME)
        parts = relative.split("/")
        is_marker = parts[-1] in ("", MARKER_NAME)
        folders = parts[:-1]
        if "" in folders:
            return [], False  # ``a//b`` cannot be a path in the contract
        new: list[str] = []
        for depth in range(1, len(folders) + 1):
            folder = "/".join(folders[:depth])
            if folder in self.pruned:
                return new, False
            if folder in self.seen:
                continue
            if self.prune is not None and self.prune(folder):
                self.pruned.add(folder)
                return new, False
            self.seen.add(folder)
            new.append(folder)
        self.open_folder = head
        return new, not is_marker
