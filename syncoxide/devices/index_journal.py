"""The folder index's journal: one record per changed entry, appended after a snapshot.

Rewriting a folder's whole index for each local change cost ~3.4 ms of CPU at 1,000 entries
and grew with the folder; appending the changed entries costs what changed. The snapshot
(``{"version": 2, "generation": G, "entries": [...]}``, JSON) is rewritten only when the
journal has grown past a bound, and a new journal (generation G + 1) then starts.

Journal bytes (big-endian)::

    header, 13 bytes, written whole (a new journal takes its name by rename)
    offset  size  field
    0       4     magic "SXIJ"
    4       1     version = 1
    5       8     generation: the snapshot this journal continues

    record, repeated
    offset  size  field
    0       4     n: length of the payload
    4       4     CRC-32 (zlib) of bytes 8 .. 9+n (kind and payload)
    8       1     kind: 1 PUT (payload: one entry as index.py's JSON), 2 DROP (payload: path)
    9       n     payload, UTF-8

A PUT's entry (and each entry of the snapshot) may carry ``"stamp": [st_ctime_ns, st_ino]``,
what the local disk showed of the file (``FileEntry.stamp``). It is optional, so the version
stays: a record without it (written before stamps were kept, or by the browser, which has
none) loads with no stamp, and the next scan reads that file once rather than trust size and
mtime alone; a reader that predates it ignores the key.

Loading is the snapshot, then every record of a journal of the same generation, in order, the
last record for a path winning. A journal of an older generation was compacted into the
snapshot already (a kill between the snapshot's rename and the new journal's) and is skipped.

A torn tail: every append is one write followed by an fsync, and nothing in it is announced to a
peer before the fsync returns, so only the last append can be cut short (a kill -9 or a power
loss mid-write). Reading stops at the first record that is short or fails its CRC; what follows
was never acknowledged, so the state loaded is a prefix of what was written and no version
counter that a peer saw can be handed out again. ``read_journal`` says where the valid bytes end
so the caller can cut the file there before appending again.
"""

from __future__ import annotations

import enum
import json
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from syncoxide.devices.index import FileEntry, FolderIndex
from syncoxide.errors import JournalError, RemoteProtocolError

MAGIC = b"SXIJ"
VERSION = 1
SNAPSHOT_VERSION = 2  # version 1 was the same document without "generation" (read as 0)
_HEADER = struct.Struct(">4sBQ")
_RECORD = struct.Struct(">II")  # payload length, CRC-32 of kind + payload
HEADER_SIZE = _HEADER.size
RECORD_OVERHEAD = _RECORD.size + 1
MAX_PAYLOAD = 128 * 1024 * 1024  # past MAX_BLOCKS' JSON: a longer length is a torn record
#: Compact when the journal outgrows half the snapshot (at least this many bytes) ...
COMPACT_FLOOR = 64 * 1024
#: ... or holds this many records (replaying them all on load would cost more than a rewrite).
COMPACT_RECORDS = 20_000


class RecordKind(enum.IntEnum):
    PUT = 1
    DROP = 2


def journal_header(generation: int) -> bytes:
    return _HEADER.pack(MAGIC, VERSION, generation)


def put_record(entry: FileEntry) -> bytes:
    payload = json.dumps(entry.to_record(), separators=(",", ":")).encode()
    return _record(RecordKind.PUT, payload)


def drop_record(path: str) -> bytes:
    return _record(RecordKind.DROP, path.encode())


def _record(kind: RecordKind, payload: bytes) -> bytes:
    body = bytes([kind]) + payload
    return _RECORD.pack(len(payload), zlib.crc32(body)) + body


@dataclass(frozen=True)
class JournalRead:
    generation: int
    changes: list[FileEntry | str]  # an entry put, or the path of an entry dropped
    valid_bytes: int  # where the last whole record ends; the rest is a torn tail


def read_journal(data: bytes) -> JournalRead:
    """Parse a journal; a torn tail is left out (see ``valid_bytes``), a bad header raises."""
    if len(data) < HEADER_SIZE:
        raise JournalError(f"The index journal is {len(data)} bytes: shorter than its header.")
    magic, version, generation = _HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION:
        raise JournalError("The index journal was written by another syncoxide version.")
    changes: list[FileEntry | str] = []
    offset = HEADER_SIZE
    while (change := _change_at(data, offset)) is not None:
        changes.append(change[0])
        offset = change[1]
    return JournalRead(generation, changes, offset)


def _change_at(data: bytes, offset: int) -> tuple[FileEntry | str, int] | None:
    """The record at ``offset`` and where the next one starts; None at the end or a torn one."""
    if offset + _RECORD.size + 1 > len(data):
        return None
    length, checksum = _RECORD.unpack_from(data, offset)
    end = offset + RECORD_OVERHEAD + length
    body = data[offset + _RECORD.size : end]
    if length > MAX_PAYLOAD or end > len(data) or zlib.crc32(body) != checksum:
        return None
    try:
        if body[0] == RecordKind.PUT:
            return FileEntry.from_record(json.loads(body[1:])), end
        if body[0] == RecordKind.DROP:
            return body[1:].decode(), end
    except (ValueError, RemoteProtocolError):
        pass
    raise JournalError(f"The index journal holds a record it cannot read at byte {offset}.")


def replay(index: FolderIndex, changes: Iterable[FileEntry | str]) -> None:
    for change in changes:
        if isinstance(change, str):
            index.entries.pop(change, None)
        else:
            index.entries[change.path] = change


def snapshot_bytes(index: FolderIndex, generation: int) -> bytes:
    entries = [entry.to_record() for entry in index.entries.values()]
    document = {"version": SNAPSHOT_VERSION, "generation": generation, "entries": entries}
    return json.dumps(document, separators=(",", ":")).encode()


def read_snapshot(data: bytes) -> tuple[FolderIndex, int]:
    """The index a snapshot holds and its generation (version 1 documents: generation 0)."""
    try:
        body = json.loads(data)
        version = body.get("version")
        if version not in (1, SNAPSHOT_VERSION):
            raise JournalError("The folder index was written by another syncoxide version.")
        generation = int(body.get("generation", 0))
        entries = [FileEntry.from_record(raw) for raw in body["entries"]]
    except (ValueError, KeyError, TypeError, AttributeError, RemoteProtocolError) as error:
        raise JournalError(f"The folder index is damaged: {error}") from None
    return FolderIndex({entry.path: entry for entry in entries}), generation


@dataclass
class JournalTally:
    """How large a folder's snapshot and journal are, and so when to compact: the one policy
    both keepers follow (the CLI's files, ``native/devices/index_file.py``; any other storage,
    ``engine/device_sync/index_keeper.py``)."""

    generation: int = 0
    snapshot_size: int = 0
    journal_size: int = 0
    records: int = 0
    #: An append began and did not return: it may have left part of its bytes (a disk-full
    #: write stores what fits). The next append must first reload, which cuts the journal
    #: after its last whole record, or its record would follow the torn bytes and a load,
    #: stopping at them, would lose it and everything after.
    tail_unsure: bool = False

    def appending(self) -> None:
        self.tail_unsure = True

    def appended(self, size: int, records: int) -> None:
        self.journal_size += size
        self.records += records
        self.tail_unsure = False

    def compaction_due(
        self, *, floor: int = COMPACT_FLOOR, max_records: int = COMPACT_RECORDS
    ) -> bool:
        grown = self.journal_size > max(floor, self.snapshot_size // 2)
        return grown or self.records > max_records

    def journal_started(self) -> None:
        self.journal_size, self.records = HEADER_SIZE, 0

    def compacted(self, snapshot_size: int) -> None:
        """A snapshot of the next generation was written; its empty journal starts next."""
        self.generation += 1
        self.snapshot_size = snapshot_size
        self.journal_started()


@dataclass(frozen=True)
class LoadedIndex:
    index: FolderIndex
    tally: JournalTally
    #: The journal read, when one of the snapshot's generation exists (else a new one starts
    #: before the next append).
    journal: JournalRead | None
    #: Where a torn tail starts (a stop or a failed write mid-append), None for none: the
    #: journal must be cut there before the next append, or that record follows the torn
    #: bytes and is lost on the next load. Both keepers cut before taking on ``tally``, so
    #: a cut that fails is tried again by the next append.
    cut_at: int | None = None


def load_index(snapshot: bytes | None, journal: bytes | None) -> LoadedIndex:
    """The index a snapshot and its journal hold (either may be missing: a new folder).

    A journal of an older generation was compacted into the snapshot already (a stop between
    writing the snapshot and starting the next journal) and is skipped; one of a newer
    generation means the snapshot was lost or replaced by an older copy: refused, not guessed.
    """
    index, tally = FolderIndex(), JournalTally()
    if snapshot is not None:
        index, tally.generation = read_snapshot(snapshot)
        tally.snapshot_size = len(snapshot)
    if journal is None:
        return LoadedIndex(index, tally, None)
    read = read_journal(journal)
    if read.generation < tally.generation:
        return LoadedIndex(index, tally, None)
    if read.generation > tally.generation:
        raise JournalError(
            "The index journal continues a newer index than its snapshot holds.",
            hint="Restore the snapshot, or remove both to index the folder afresh.",
        )
    replay(index, read.changes)
    tally.appended(read.valid_bytes, len(read.changes))
    torn = read.valid_bytes < len(journal)
    return LoadedIndex(index, tally, read, read.valid_bytes if torn else None)


def change_records(changes: Iterable[FileEntry | str]) -> bytes:
    """The journal records for ``changes`` (entries put, paths dropped), in order."""
    return b"".join(put_record(c) if isinstance(c, FileEntry) else drop_record(c) for c in changes)


__all__ = [
    "COMPACT_FLOOR",
    "COMPACT_RECORDS",
    "HEADER_SIZE",
    "JournalRead",
    "JournalTally",
    "LoadedIndex",
    "change_records",
    "drop_record",
    "journal_header",
    "load_index",
    "put_record",
    "read_journal",
    "read_snapshot",
    "replay",
    "snapshot_bytes",
]
