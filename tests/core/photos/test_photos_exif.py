"""EXIF capture dates and orientation read by the pure-Python parser the browser uses."""

from __future__ import annotations

import struct

import pytest

from syncoxide.photos.exif import HEAD_BYTES, ExifFacts, read_exif

JFIF = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def tiff(order: str, *, original: str = "", plain: str = "", orientation: int = 0) -> bytes:
    """A TIFF block: IFD0 (DateTime, Orientation, pointer to the EXIF IFD), EXIF IFD."""
    header = (b"II" if order == "<" else b"MM") + struct.pack(order + "HI", 42, 8)
    ifd0_tags: list[tuple[int, int, int, bytes]] = []
    extra = b""
    ifd0_size = 2 + 12 * 3 + 4
    exif_at = 8 + ifd0_size
    exif_size = 2 + 12 * 1 + 4
    data_at = exif_at + exif_size

    def ascii_value(text: str) -> tuple[int, bytes]:
        nonlocal extra
        raw = text.encode() + b"\x00"
        offset = data_at + len(extra)
        extra += raw
        return len(raw), struct.pack(order + "I", offset)

    if plain:
        count, value = ascii_value(plain)
        ifd0_tags.append((0x0132, 2, count, value))
    if orientation:
        ifd0_tags.append((0x0112, 3, 1, struct.pack(order + "HH", orientation, 0)))
    ifd0_tags.append((0x8769, 4, 1, struct.pack(order + "I", exif_at)))
    exif_tags = []
    if original:
        count, value = ascii_value(original)
        exif_tags.append((0x9003, 2, count, value))
    ifd0 = _ifd(order, ifd0_tags).ljust(ifd0_size, b"\x00")
    exif = _ifd(order, exif_tags).ljust(exif_size, b"\x00")
    return header + ifd0 + exif + extra


def _ifd(order: str, tags: list[tuple[int, int, int, bytes]]) -> bytes:
    body = struct.pack(order + "H", len(tags))
    for tag, kind, count, value in sorted(tags):
        body += struct.pack(order + "HHI", tag, kind, count) + value
    return body + struct.pack(order + "I", 0)


def jpeg(block: bytes, *, before: bytes = JFIF) -> bytes:
    app1 = b"Exif\x00\x00" + block
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return b"\xff\xd8" + before + segment + b"\xff\xda\x00\x02" + b"\x00" * 64


@pytest.mark.parametrize("order", ["<", ">"])
def test_the_original_date_wins_over_the_file_date(order: str) -> None:
    block = tiff(order, original="2026:07:14 10:00:00", plain="2027:01:01 00:00:00", orientation=6)
    assert read_exif(jpeg(block)) == ExifFacts("2026-07-14T10:00:00", 6)


def test_datetime_alone_dates_the_photo() -> None:
    assert read_exif(jpeg(tiff(">", plain="2019:12:31 23:59:59"))).taken == "2019-12-31T23:59:59"


def test_no_jfif_header_and_fill_bytes_before_the_exif_block() -> None:
    block = tiff("<", original="2020:02:29 12:00:00")
    assert read_exif(jpeg(block, before=b"\xff")).taken == "2020-02-29T12:00:00"


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # not a JPEG
        b"\xff\xd8\xff\xdb\x00\x43" + b"\x00" * 65,  # a JPEG without EXIF
        jpeg(tiff("<", original="2026:07:14 10:00:00"))[:40],  # cut inside the EXIF block
        jpeg(tiff("<", original="0000:00:00 00:00:00")),  # cameras write this for "unknown"
        jpeg(tiff("<", original="2026:13:40 99:00:00")),
        jpeg(b"XX*\x00\x08\x00\x00\x00"),  # no byte order
        jpeg(b"II*\x00\xff\xff\x00\x00"),  # IFD0 far past the block
        jpeg(b"II*\x00\x08\x00\x00\x00\xff\xff"),  # 65,535 entries claimed
    ],
)
def test_damaged_or_missing_exif_gives_no_date_and_no_error(head: bytes) -> None:
    assert read_exif(head) == ExifFacts()


def test_an_unknown_orientation_is_upright() -> None:
    assert read_exif(jpeg(tiff("<", orientation=42))).orientation == 1


def test_exif_after_a_full_icc_segment_is_within_the_head() -> None:
    icc = b"\xff\xe2\xff\xff" + b"\x00" * (0xFFFF - 2)  # the largest segment there is
    photo = jpeg(tiff("<", original="2026:07:14 10:00:00"), before=JFIF + icc)
    assert read_exif(photo[:HEAD_BYTES]).taken == "2026-07-14T10:00:00"
