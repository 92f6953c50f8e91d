"""The capture date and orientation of a JPEG, read from its EXIF block (sans-IO, pure Python).

The browser has no Pillow, so the Photos view reads a device photo's EXIF here, from the first
``HEAD_BYTES`` of the file; the server reads the same two facts with Pillow (``native/photos``).
Only what the timeline needs is read: DateTimeOriginal (else DateTime) and Orientation.

JPEG, up to the EXIF block (each segment: marker, then a big-endian length that counts itself)::

    offset  size  field
    0       2     FF D8                     start of image
    2       2     FF En                     an APPn segment (APP0 JFIF may come first)
    4       2     length L                  bytes of the segment after the marker
    6       6     "Exif\\0\\0"                only in APP1 (FF E1): the EXIF block
    12      L-8   TIFF: "II*\\0" or "MM\\0*", IFD0 offset (u32), IFDs of 12-byte entries

An IFD is a u16 entry count, then entries ``tag u16 | type u16 | count u32 | value-or-offset
u32`` in the TIFF's byte order; ASCII values longer than four bytes sit at an offset from the
TIFF header. Anything malformed or cut short yields no date: a damaged EXIF block never hides
the photo, which is then dated by its file time.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass

#: Bytes of the file's start handed to ``read_exif``: EXIF sits in the first 64 KiB segment,
#: after at most a JFIF header and a few small segments.
HEAD_BYTES = 128 << 10
_SOI, _APP1, _SOS, _EOI = 0xD8, 0xE1, 0xDA, 0xD9
_EXIF_IFD, _DATE_ORIGINAL, _DATE_TIME, _ORIENTATION = 0x8769, 0x9003, 0x0132, 0x0112
_ASCII, _SHORT, _LONG = 2, 3, 4
_MAX_ENTRIES = 1000  # a count above this is damage, not a real IFD


@dataclass(frozen=True)
class ExifFacts:
    taken: str = ""  # ISO 8601 from DateTimeOriginal, else DateTime; "" when neither is sound
    orientation: int = 1  # EXIF orientation 1-8; 5-8 turn the picture a quarter


def read_exif(head: bytes) -> ExifFacts:
    """The EXIF facts of a JPEG whose first bytes are ``head`` (any file: ``ExifFacts()``)."""
    block = _exif_block(head)
    if block is None:
        return ExifFacts()
    try:
        return _from_tiff(block)
    except (struct.error, IndexError, ValueError):
        return ExifFacts()


def _exif_block(head: bytes) -> bytes | None:
    if head[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in (_SOS, _EOI):
            return None
        (length,) = struct.unpack_from(">H", head, at + 2)
        body = head[at + 4 : at + 2 + length]
        if length < 2 or len(body) < length - 2:
            return None
        if marker == _APP1 and body[:6] == b"Exif\x00\x00":
            return body[6:]
        at += 2 + length
    return None


def _from_tiff(tiff: bytes) -> ExifFacts:
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or struct.unpack_from(order + "H", tiff, 2)[0] != 42:
        return ExifFacts()
    ifd0 = _entries(tiff, order, struct.unpack_from(order + "I", tiff, 4)[0])
    inner = ifd0.get(_EXIF_IFD)
    sub = _entries(tiff, order, _number(tiff, order, inner)) if inner else {}
    taken = ""
    for entry in (sub.get(_DATE_ORIGINAL), ifd0.get(_DATE_TIME)):
        if entry and not taken:
            taken = _date(_ascii(tiff, order, entry))
    turn = ifd0.get(_ORIENTATION)
    orientation = _number(tiff, order, turn) if turn else 1
    return ExifFacts(taken, orientation if 1 <= orientation <= 8 else 1)


_Entry = tuple[int, int, bytes]  # type, count, the 4 value-or-offset bytes


def _entries(tiff: bytes, order: str, offset: int) -> dict[int, _Entry]:
    (count,) = struct.unpack_from(order + "H", tiff, offset)
    if count > _MAX_ENTRIES or offset + 2 + 12 * count > len(tiff):
        raise ValueError("an IFD runs past the EXIF block")
    found = {}
    for number in range(count):
        at = offset + 2 + 12 * number
        tag, kind, items = struct.unpack_from(order + "HHI", tiff, at)
        found[tag] = (kind, items, tiff[at + 8 : at + 12])
    return found


def _number(tiff: bytes, order: str, entry: _Entry) -> int:
    kind, _items, raw = entry
    if kind == _SHORT:
        return int(struct.unpack_from(order + "H", raw)[0])
    if kind == _LONG:
        return int(struct.unpack_from(order + "I", raw)[0])
    raise ValueError(f"EXIF type {kind} is not a number")


def _ascii(tiff: bytes, order: str, entry: _Entry) -> str:
    kind, items, raw = entry
    if kind != _ASCII:
        return ""
    if items <= 4:
        text = raw[:items]
    else:
        (offset,) = struct.unpack_from(order + "I", raw)
        text = tiff[offset : offset + items]
    return text.split(b"\x00", 1)[0].decode("ascii", "replace")


def _date(raw: str) -> str:
    try:
        return dt.datetime.strptime(raw.strip()[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return ""
