"""A folder's index on disk: a snapshot and the journal of changes since it.

    <config>/devices/index/NAME.json      snapshot (JSON, replaced whole: sibling + rename)
    <config>/devices/index/NAME.journal   records appended since (devices/index_journal.py)

Each save appends the changed entries in one write and fsyncs before returning: the daemon
announces a new version only after that, so a version a peer saw is never handed out twice,
whenever the process is killed. When the journal outgrows half the snapshot (at least
``COMPACT_FLOOR`` bytes) or ``COMPACT_RECORDS`` records, the snapshot is rewritten under the next
generation and an empty journal of that generation takes the old one's place; a kill between
the two renames leaves a journal of the older generation, which loading skips (the snapshot
holds it). A torn last record is cut off on loading; its bytes are kept beside the journal
(``NAME.journal.torn``) rather than thrown away. So is what a failed append left (a disk-full
write stores what fits, then fails): the next append reloads first, as ``IndexKeeper`` does, so
its record starts after the last whole one and is read back.
"""

from __future__ import annotations

import os
from pathlib import Path

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.devices.index_journal import (
    COMPACT_FLOOR,
    COMPACT_RECORDS,
    JournalTally,
    change_records,
    journal_header,
    load_index,
    snapshot_bytes,
)
from syncoxide.errors import JournalError
from syncoxide.native.atomic_file import replace_file


class IndexFile:
    def __init__(self, snapshot: Path) -> None:
        self.snapshot = snapshot
        self.journal = snapshot.with_suffix(".journal")
        self.tally = JournalTally()
        self._journal_ready = False  # a journal of this generation, cut after its last record

    @property
    def generation(self) -> int:
        return self.tally.generation

    def load(self) -> FolderIndex:
        snapshot, journal = _read_or_none(self.snapshot), _read_or_none(self.journal)
        try:
            loaded = load_index(snapshot, journal)
        except JournalError as error:
            raise JournalError(f"{self.snapshot}: {error.message}", hint=error.hint) from None
        if loaded.cut_at is not None and journal is not None:
            self._cut_torn_tail(journal[loaded.cut_at :], loaded.cut_at)
        self.tally = loaded.tally
        self._journal_ready = loaded.journal is not None
        return loaded.index

    def forget(self) -> None:
        """Delete the snapshot and the journal: the next load starts an empty index. (A torn
        tail kept beside the journal is left: it is kept for a person to look at.)"""
        self.journal.unlink(missing_ok=True)  # first: a kill between leaves a snapshot alone
        self.snapshot.unlink(missing_ok=True)
        self.tally = JournalTally()
        self._journal_ready = False

    def _cut_torn_tail(self, tail: bytes, keep: int) -> None:
        with self.journal.with_name(self.journal.name + ".torn").open("ab") as kept:
            kept.write(tail)
        os.truncate(self.journal, keep)

    def append(self, changes: list[FileEntry | str], index: FolderIndex) -> None:
        """Journal ``changes`` (entries put, paths dropped) durably; compact when due.
        ``index`` is the state after them, written whole when the journal is compacted."""
        if not changes:
            return
        if self.tally.tail_unsure:
            self.load()  # cuts what a failed append left, so the next record follows
        if not self._journal_ready:
            self._start_journal()
        data = change_records(changes)
        self.tally.appending()
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        self.tally.appended(len(data), len(changes))
        # Read at call time, so a test can lower the bounds on this module.
        if self.tally.compaction_due(floor=COMPACT_FLOOR, max_records=COMPACT_RECORDS):
            self.compact(index)

    def compact(self, index: FolderIndex) -> None:
        """Write ``index`` as the next generation's snapshot and start its empty journal."""
        data = snapshot_bytes(index, self.tally.generation + 1)
        self.snapshot.parent.mkdir(parents=True, exist_ok=True)
        replace_file(self.snapshot, data)
        self.tally.compacted(len(data))
        self._start_journal()

    def _start_journal(self) -> None:
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        replace_file(self.journal, journal_header(self.tally.generation))
        self._journal_ready = True
        self.tally.journal_started()


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


__all__ = ["COMPACT_FLOOR", "COMPACT_RECORDS", "IndexFile"]
