"""Journal byte format.

A journal is a header followed by records; it is only ever appended to::

    header   "SXWAL" (5 bytes) | version u8 (=1) | reserved u16 (=0)            8 bytes
    record   length u32 BE | kind u8 | payload (length bytes) | crc32 u32 BE
             crc32 covers kind and payload; length counts the payload only

    kind 1 BEGIN   payload: UTF-8 JSON run header {run, mode, pair, trash, started}
    kind 2 ACTION  payload: index u32 BE | UTF-8 JSON action (see ``syncoxide.wal.actions``)
    kind 3 SEALED  payload: action count u32 BE. The plan is complete; side effects may start.
    kind 4 DONE    payload: index u32 BE. The action committed.
    kind 5 FAILED  payload: index u32 BE | UTF-8 message. The action gave up this run.
    kind 6 FINISH  payload: empty. Every action was attempted; nothing left to resume.
    kind 7 PART    payload: index u32 BE | offset u64 BE | length u64 BE | UTF-8 hex digest.
                   One range of a big file copied in parts is stored in the action's partial
                   object and had this digest when read from the source (see
                   ``syncoxide.engine.parts``). A resumed copy reads such a range back and
                   keeps it only if its digest still matches.

A crash can leave a torn last record; readers stop at the first record that is short or fails
its CRC and treat everything before it as the journal. A path that is not valid UTF-8 (a POSIX
name's stray byte, kept as a lone surrogate) is written as a ``\\udcXX`` JSON escape, so every
payload stays valid UTF-8 (``syncoxide.byte_names``). Unknown kinds are skipped (newer writers
may add kinds that older readers can ignore); an unknown header version is refused.
"""

from __future__ import annotations

import enum
import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from syncoxide.byte_names import json_bytes, text_bytes
from syncoxide.errors import JournalError

MAGIC = b"SXWAL"
VERSION = 1
HEADER = MAGIC + bytes([VERSION]) + b"\x00\x00"
_PREFIX = struct.Struct(">IB")
_U32 = struct.Struct(">I")
_PART = struct.Struct(">IQQ")


class RecordKind(enum.IntEnum):
    BEGIN = 1
    ACTION = 2
    SEALED = 3
    DONE = 4
    FAILED = 5
    FINISH = 6
    PART = 7


@dataclass(frozen=True)
class Record:
    kind: int
    payload: bytes


def encode_record(kind: RecordKind, payload: bytes = b"") -> bytes:
    crc = zlib.crc32(bytes([kind]) + payload)
    return _PREFIX.pack(len(payload), kind) + payload + _U32.pack(crc)


def encode_begin(header: dict[str, Any]) -> bytes:
    return encode_record(RecordKind.BEGIN, json.dumps(header, sort_keys=True).encode())


def encode_action(index: int, action_json: dict[str, Any]) -> bytes:
    body = json_bytes(action_json)
    return encode_record(RecordKind.ACTION, _U32.pack(index) + body)


def encode_sealed(count: int) -> bytes:
    return encode_record(RecordKind.SEALED, _U32.pack(count))


def encode_done(index: int) -> bytes:
    return encode_record(RecordKind.DONE, _U32.pack(index))


def encode_failed(index: int, message: str) -> bytes:
    return encode_record(RecordKind.FAILED, _U32.pack(index) + text_bytes(message))


def encode_part(index: int, offset: int, length: int, digest: str) -> bytes:
    return encode_record(RecordKind.PART, _PART.pack(index, offset, length) + digest.encode())


def decode_part(payload: bytes) -> tuple[int, int, int, str]:
    """(index, offset, length, digest) of a PART payload."""
    index, offset, length = _PART.unpack_from(payload, 0)
    return index, offset, length, payload[_PART.size :].decode("ascii")


def encode_finish() -> bytes:
    return encode_record(RecordKind.FINISH)


def iter_records(blob: bytes) -> Iterator[Record]:
    """Records in order, stopping quietly at a torn or corrupt tail."""
    if len(blob) < len(HEADER) or blob[:5] != MAGIC:
        raise JournalError(
            "The sync journal does not start with the syncoxide journal header.",
            hint="No file was changed. Move the journal aside and run again.",
        )
    if blob[5] != VERSION:
        raise JournalError(
            f"The sync journal has version {blob[5]}, this syncoxide reads version {VERSION}.",
            hint="Finish the run with the syncoxide version that started it.",
        )
    offset = len(HEADER)
    while offset + _PREFIX.size <= len(blob):
        length, kind = _PREFIX.unpack_from(blob, offset)
        end = offset + _PREFIX.size + length + _U32.size
        if end > len(blob):
            return
        payload = blob[offset + _PREFIX.size : end - _U32.size]
        (crc,) = _U32.unpack_from(blob, end - _U32.size)
        if zlib.crc32(bytes([kind]) + payload) != crc:
            return
        yield Record(kind, payload)
        offset = end


def split_index(payload: bytes) -> tuple[int, bytes]:
    (index,) = _U32.unpack_from(payload, 0)
    return index, payload[_U32.size :]
