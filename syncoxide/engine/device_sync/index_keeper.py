"""A folder's index kept as a snapshot and an append-only journal on any storage that can
replace a document whole and append bytes to one (``IndexStorage``): the browser's folders.

The bytes and the policy are the CLI's (``devices/index_journal.py``: the SXIJ journal, the
JSON snapshot, ``JournalTally``'s compaction bound), so one changed file in a folder of 10,000
costs one record (~300 bytes), not the whole index (~3 MB), and both ends read each other's
files. Only the IO differs: the CLI appends to a file and fsyncs
(``native/devices/index_file.py``); this keeper awaits a storage port, whose ``append`` returns
once the bytes are durable (an IndexedDB transaction committed, in the browser).

A stop mid-append (a tab closed, the browser killed) may leave a torn last record where the
storage cannot append atomically: loading drops it (``read_journal`` stops at the first short or
bad record), rewrites the journal without it, and keeps everything before it. Compaction writes
the next generation's snapshot first and then starts its empty journal; a stop between the two
leaves a journal of the older generation, which loading skips (the snapshot holds it).
"""

from __future__ import annotations

from typing import Protocol

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.devices.index_journal import (
    JournalTally,
    change_records,
    journal_header,
    load_index,
    snapshot_bytes,
)
from syncoxide.errors import ProviderUnavailableError


class IndexStorage(Protocol):
    """Where one folder's snapshot and journal live (two byte documents)."""

    async def load(self) -> tuple[bytes | None, bytes | None]:
        """The snapshot and the journal as stored (None for one never written)."""
        ...

    async def replace_snapshot(self, data: bytes) -> None:
        """Replace the snapshot whole, atomically (the old one stays if this is cut short)."""
        ...

    async def replace_journal(self, data: bytes) -> None:
        """Replace the journal whole, atomically."""
        ...

    async def append_journal(self, data: bytes) -> None:
        """Append to the journal; durable once this returns (a stop midway may tear it)."""
        ...


class IndexKeeper:
    def __init__(self, storage: IndexStorage) -> None:
        self.storage = storage
        self.tally = JournalTally()
        self._journal_ready = False  # a journal of this generation, ending in a whole record

    async def load(self) -> FolderIndex:
        snapshot, journal = await self.storage.load()
        loaded = load_index(snapshot, journal)
        if loaded.cut_at is not None and journal is not None:
            await self.storage.replace_journal(journal[: loaded.cut_at])  # cut the torn tail
        self.tally = loaded.tally
        self._journal_ready = loaded.journal is not None
        return loaded.index

    async def append(self, changes: list[FileEntry | str], index: FolderIndex) -> None:
        """Journal ``changes`` (entries put, paths dropped); compact when due. ``index`` is the
        state after them, written whole when the journal is compacted."""
        if not changes:
            return
        if self.tally.tail_unsure:
            await self.load()  # cuts what a failed append left, so the next record follows
        if not self._journal_ready:
            await self._start_journal()
        data = change_records(changes)
        self.tally.appending()
        await self.storage.append_journal(data)
        self.tally.appended(len(data), len(changes))
        if self.tally.compaction_due():
            await self.compact(index)

    async def compact(self, index: FolderIndex) -> None:
        """Write ``index`` as the next generation's snapshot and start its empty journal."""
        data = snapshot_bytes(index, self.tally.generation + 1)
        await self.storage.replace_snapshot(data)
        self.tally.compacted(len(data))
        self._journal_ready = False
        await self._start_journal()

    async def _start_journal(self) -> None:
        await self.storage.replace_journal(journal_header(self.tally.generation))
        self.tally.journal_started()
        self._journal_ready = True


class MemoryIndexStorage:
    """An ``IndexStorage`` in memory: the tests' and the bench's, counting the bytes each
    operation hands to storage; ``tear_next_append`` keeps only the first bytes of the next
    append and then fails it, as a tab closed mid-write would."""

    def __init__(self) -> None:
        self.snapshot: bytes | None = None
        self._journal: bytearray | None = None  # grown in place: appends cost what they add
        self.bytes_written = 0
        self.tear_next_append: int | None = None

    @property
    def journal(self) -> bytes | None:
        return None if self._journal is None else bytes(self._journal)

    @journal.setter
    def journal(self, data: bytes | None) -> None:
        self._journal = None if data is None else bytearray(data)

    async def load(self) -> tuple[bytes | None, bytes | None]:
        return self.snapshot, self.journal

    async def replace_snapshot(self, data: bytes) -> None:
        self.snapshot = data
        self.bytes_written += len(data)

    async def replace_journal(self, data: bytes) -> None:
        self.journal = data
        self.bytes_written += len(data)

    async def append_journal(self, data: bytes) -> None:
        kept, self.tear_next_append = self.tear_next_append, None
        if self._journal is None:
            self._journal = bytearray()
        self._journal += data[:kept]
        self.bytes_written += len(data[:kept])
        if kept is not None:
            raise ProviderUnavailableError("The index journal's append was cut short.")


__all__ = ["IndexKeeper", "IndexStorage", "MemoryIndexStorage"]
