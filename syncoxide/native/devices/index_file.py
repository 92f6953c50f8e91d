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
(``NAME.journal.torn``) rather than thrown away.
"""

from __future__ import annotations

import os
from pathlib import Path

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.devices.index_journal import (
    drop_record,
    journal_header,
    put_record,
    read_journal,
    read_snapshot,
    replay,
    snapshot_bytes,
)
from syncoxide.errors import JournalError
from syncoxide.native.atomic_file import replace_file

COMPACT_FLOOR = 64 * 1024
COMPACT_RECORDS = 20_000


class IndexFile:
    def __init__(self, snapshot: Path) -> None:
        self.snapshot = snapshot
        self.journal = snapshot.with_suffix(".journal")
        self.generation = 0
        self._journal_ready = False  # a journal of this generation, cut after its last record
        self._snapshot_size = 0
        self._journal_size = 0
        self._records = 0

    def load(self) -> FolderIndex:
        try:
            data = self.snapshot.read_bytes()
        except FileNotFoundError:
            index = FolderIndex()
        else:
            try:
                index, self.generation = read_snapshot(data)
            except JournalError as error:
                raise JournalError(f"{self.snapshot}: {error.message}") from None
            self._snapshot_size = len(data)
        self._replay_journal(index)
        return index

    def _replay_journal(self, index: FolderIndex) -> None:
        try:
            data = self.journal.read_bytes()
        except FileNotFoundError:
            return
        try:
            read = read_journal(data)
        except JournalError as error:
            raise JournalError(f"{self.journal}: {error.message}") from None
        if read.generation < self.generation:
            return  # compacted into the snapshot already; replaced by the next save
        if read.generation > self.generation:
            raise JournalError(
                f"{self.journal} continues a newer index than {self.snapshot} holds.",
                hint="Restore the snapshot, or remove both files to index the folder afresh.",
            )
        replay(index, read.changes)
        if read.valid_bytes < len(data):
            self._cut_torn_tail(data[read.valid_bytes :], read.valid_bytes)
        self._journal_ready = True
        self._journal_size, self._records = read.valid_bytes, len(read.changes)

    def _cut_torn_tail(self, tail: bytes, keep: int) -> None:
        with self.journal.with_name(self.journal.name + ".torn").open("ab") as kept:
            kept.write(tail)
        os.truncate(self.journal, keep)

    def append(self, changes: list[FileEntry | str], index: FolderIndex) -> None:
        """Journal ``changes`` (entries put, paths dropped) durably; compact when due.
        ``index`` is the state after them, written whole when the journal is compacted."""
        if not changes:
            return
        if not self._journal_ready:
            self._start_journal()
        data = b"".join(
            put_record(c) if isinstance(c, FileEntry) else drop_record(c) for c in changes
        )
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        self._journal_size += len(data)
        self._records += len(changes)
        if self._compaction_due():
            self.compact(index)

    def _compaction_due(self) -> bool:
        grown = self._journal_size > max(COMPACT_FLOOR, self._snapshot_size // 2)
        return grown or self._records > COMPACT_RECORDS

    def compact(self, index: FolderIndex) -> None:
        """Write ``index`` as the next generation's snapshot and start its empty journal."""
        data = snapshot_bytes(index, self.generation + 1)
        self.snapshot.parent.mkdir(parents=True, exist_ok=True)
        replace_file(self.snapshot, data)
        self.generation += 1
        self._snapshot_size = len(data)
        self._start_journal()

    def _start_journal(self) -> None:
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        replace_file(self.journal, journal_header(self.generation))
        self._journal_ready = True
        self._journal_size, self._records = len(journal_header(self.generation)), 0


__all__ = ["COMPACT_FLOOR", "COMPACT_RECORDS", "IndexFile"]
