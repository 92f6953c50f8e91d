"""A zip archive laid out from metadata alone: streamed, never built, and resumable by range.

Every member is STORED (no compression: photos and videos do not shrink, and stored data lets
us know every offset in advance) and its CRC-32 is known before the archive is sent (computed
when the file arrived). Then the whole archive is a pure function of the member list, and any
byte range of it can be produced without producing what comes before. A browser that loses the
connection at 3.9 GB asks for ``Range: bytes=3900000000-`` and gets exactly the rest.

Layout (all integers little-endian; ZIP64 fields appear only where a value overflows)::

    for each member:
      local header  50 4B 03 04 | need u16 | flags u16 (0x0800: UTF-8 names) | method 0
                    | dos time u16 | dos date u16 | crc32 u32 | size u32 | size u32
                    | name len u16 | extra len u16 | name
                    | [ZIP64 extra: 01 00 10 00 size u64 size u64]
      data          the member's bytes, as they are
    central directory, per member:
                    50 4B 01 02 | made by u16 | need u16 | flags | method | time | date | crc32
                    | size u32 | size u32 | name len | extra len | comment len u16 = 0
                    | disk u16 = 0 | internal attrs u16 = 0 | external attrs u32 (unix mode << 16)
                    | local header offset u32 | name | [ZIP64 extra: 01 00 len u16 fields u64...]
    [ZIP64 end record 50 4B 06 06 ... and locator 50 4B 06 07 ...]   when anything overflowed
    end record      50 4B 05 06 | disk u16 | cd disk u16 | entries u16 | entries u16
                    | cd size u32 | cd offset u32 | comment len u16 = 0
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from syncoxide.errors import UsageError
from syncoxide.safe_names import strict_relative_path

_U16_MAX = 0xFFFF
_U32_MAX = 0xFFFFFFFF
_UTF8_NAMES = 0x0800
_MADE_BY_UNIX = 3 << 8
_NEED_STORED, _NEED_ZIP64 = 20, 45
_FILE_MODE, _DIR_MODE = 0o100644, 0o040755
_MSDOS_DIRECTORY = 0x10


@dataclass(frozen=True)
class ZipMember:
    """One archive entry. ``name`` is a relative path; folders have ``is_dir`` and size 0."""

    name: str
    size: int
    crc32: int
    mtime: float
    is_dir: bool = False


@dataclass(frozen=True)
class HeaderBytes:
    data: bytes


@dataclass(frozen=True)
class MemberBytes:
    """Read ``length`` bytes of member ``index`` starting at ``offset`` of its content."""

    index: int
    offset: int
    length: int


Piece = HeaderBytes | MemberBytes


def _dos_datetime(mtime: float) -> tuple[int, int]:
    moment = datetime.fromtimestamp(max(mtime, 315532800.0), UTC)  # zip starts in 1980
    dos_time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    dos_date = ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day
    return dos_time, dos_date


class ZipLayout:
    """Byte-exact plan of the archive: its size, and the pieces that make up any range."""

    def __init__(self, members: list[ZipMember]) -> None:
        self.members = members
        self._names = [self._entry_name(member) for member in members]
        if len(set(self._names)) != len(self._names):
            raise UsageError("An archive cannot hold two entries with the same name.")
        self._pieces: list[tuple[int, Piece]] = []  # (start offset, piece)
        self.size = self._plan()
        self._starts = [piece_start for piece_start, _ in self._pieces]

    @staticmethod
    def _entry_name(member: ZipMember) -> str:
        name = strict_relative_path(member.name)
        return name + "/" if member.is_dir else name

    def _plan(self) -> int:
        position = 0
        header_offsets = []
        for index, member in enumerate(self.members):
            header_offsets.append(position)
            header = self._local_header(index)
            self._pieces.append((position, HeaderBytes(header)))
            position += len(header)
            if member.size:
                self._pieces.append((position, MemberBytes(index, 0, member.size)))
                position += member.size
        directory = b"".join(
            self._central_header(index, offset) for index, offset in enumerate(header_offsets)
        )
        tail = directory + self._end_records(position, len(directory))
        self._pieces.append((position, HeaderBytes(tail)))
        return position + len(tail)

    def _common_fields(self, index: int) -> tuple[bytes, int, bool]:
        member, name = self.members[index], self._names[index].encode()
        large = member.size >= _U32_MAX
        dos_time, dos_date = _dos_datetime(member.mtime)
        size32 = _U32_MAX if large else member.size
        fields = struct.pack(
            "<HHHHHIII",
            _NEED_ZIP64 if large else _NEED_STORED,
            _UTF8_NAMES,
            0,
            dos_time,
            dos_date,
            member.crc32 & _U32_MAX,
            size32,
            size32,
        )
        return fields, len(name), large

    def _local_header(self, index: int) -> bytes:
        fields, name_length, large = self._common_fields(index)
        size = self.members[index].size
        extra = struct.pack("<HHQQ", 1, 16, size, size) if large else b""
        return (
            b"PK\x03\x04"
            + fields
            + struct.pack("<HH", name_length, len(extra))
            + self._names[index].encode()
            + extra
        )

    def _central_header(self, index: int, header_offset: int) -> bytes:
        fields, name_length, large = self._common_fields(index)
        member = self.members[index]
        zip64_values = [member.size, member.size] if large else []
        far = header_offset >= _U32_MAX
        if far:
            zip64_values.append(header_offset)
        extra = (
            struct.pack(f"<HH{len(zip64_values)}Q", 1, 8 * len(zip64_values), *zip64_values)
            if zip64_values
            else b""
        )
        needs_zip64 = large or far
        made_by = _MADE_BY_UNIX | (_NEED_ZIP64 if needs_zip64 else _NEED_STORED)
        if needs_zip64 and not large:  # "version needed" must say ZIP64 for a far offset too
            fields = struct.pack("<H", _NEED_ZIP64) + fields[2:]
        mode = _DIR_MODE if member.is_dir else _FILE_MODE
        attributes = (mode << 16) | (_MSDOS_DIRECTORY if member.is_dir else 0)
        return (
            b"PK\x01\x02"
            + struct.pack("<H", made_by)
            + fields
            + struct.pack(
                "<HHHHHII",
                name_length,
                len(extra),
                0,
                0,
                0,
                attributes,
                min(header_offset, _U32_MAX),
            )
            + self._names[index].encode()
            + extra
        )

    def _end_records(self, directory_offset: int, directory_size: int) -> bytes:
        count = len(self.members)
        overflow = count >= _U16_MAX or directory_offset >= _U32_MAX or directory_size >= _U32_MAX
        records = b""
        if overflow:
            zip64_end_offset = directory_offset + directory_size
            records += b"PK\x06\x06" + struct.pack(
                "<QHHIIQQQQ",
                44,
                _MADE_BY_UNIX | _NEED_ZIP64,
                _NEED_ZIP64,
                0,
                0,
                count,
                count,
                directory_size,
                directory_offset,
            )
            records += b"PK\x06\x07" + struct.pack("<IQI", 0, zip64_end_offset, 1)
        records += b"PK\x05\x06" + struct.pack(
            "<HHHHIIH",
            0,
            0,
            min(count, _U16_MAX),
            min(count, _U16_MAX),
            min(directory_size, _U32_MAX),
            min(directory_offset, _U32_MAX),
            0,
        )
        return records

    def pieces(self, start: int = 0, end: int | None = None) -> Iterator[Piece]:
        """The pieces covering bytes ``[start, end)`` of the archive, cut to that range."""
        stop = self.size if end is None else min(end, self.size)
        if not 0 <= start <= stop:
            raise UsageError(f"The range {start}-{end} is outside the archive ({self.size} bytes).")
        first = max(bisect.bisect_right(self._starts, start) - 1, 0)
        for piece_start, piece in self._pieces[first:]:
            if piece_start >= stop:
                break
            length = len(piece.data) if isinstance(piece, HeaderBytes) else piece.length
            low, high = max(start, piece_start), min(stop, piece_start + length)
            if low >= high:
                continue
            cut_from, cut_to = low - piece_start, high - piece_start
            if isinstance(piece, HeaderBytes):
                yield HeaderBytes(piece.data[cut_from:cut_to])
            else:
                yield MemberBytes(piece.index, piece.offset + cut_from, cut_to - cut_from)
