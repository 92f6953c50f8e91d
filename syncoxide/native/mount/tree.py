"""What the mount believes the remote holds: one listing of the whole tree, kept in memory.

Providers list whole trees (``Provider.list_tree``), and S3-like stores list a prefix flat in
one pass anyway, so the mount lists once and answers every ``stat`` and ``readdir`` from memory
until the provider reports a change (its change feed or a local folder's file events, followed
by ``follow.py``) or, for a provider that reports none, until the snapshot is older than its
time to live; then the next lookup lists again. Changes made through the mount are applied to
the snapshot at once, so they show without a relisting.
"""

from __future__ import annotations

from collections.abc import Iterable

from syncoxide.providers.contract import Entry, EntryKind

ROOT = Entry("", EntryKind.DIR)


def parent_of(path: str) -> str:
    return path.rpartition("/")[0]


class TreeSnapshot:
    def __init__(self, entries: Iterable[Entry], taken_at: float) -> None:
        self.taken_at = taken_at
        self._entries: dict[str, Entry] = {"": ROOT}
        self._children: dict[str, set[str]] = {"": set()}
        for entry in entries:
            if entry.kind in (EntryKind.FILE, EntryKind.DIR):  # partial writes stay hidden
                self.put(entry)

    def entry(self, path: str) -> Entry | None:
        return self._entries.get(path)

    def children(self, folder: str) -> list[Entry]:
        return [self._entries[p] for p in sorted(self._children.get(folder, ()))]

    def put(self, entry: Entry) -> None:
        """Add or replace ``entry``, with any parent folder the listing did not name."""
        parent = parent_of(entry.path)
        if parent not in self._entries:
            self.put(Entry(parent, EntryKind.DIR))
        self._entries[entry.path] = entry
        self._children[parent].add(entry.path)
        if entry.kind is EntryKind.DIR:
            self._children.setdefault(entry.path, set())

    def remove(self, path: str) -> None:
        for child in list(self._children.pop(path, ())):
            self.remove(child)
        self._entries.pop(path, None)
        self._children.get(parent_of(path), set()).discard(path)

    def move(self, source: str, target: str) -> None:
        """``source`` and everything under it now live at ``target``."""
        moved = [e for p, e in self._entries.items() if p == source or p.startswith(source + "/")]
        self.remove(source)
        for entry in sorted(moved, key=lambda e: e.path.count("/")):
            path = target + entry.path[len(source) :]
            self.put(Entry(path, entry.kind, entry.size, entry.mtime_ns, entry.hashes))
