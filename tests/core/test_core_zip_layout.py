"""The planned zip is a valid archive, and any range of it is the same bytes as the whole."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from syncoxide.archive.zip_layout import HeaderBytes, MemberBytes, ZipLayout, ZipMember
from syncoxide.errors import RemoteProtocolError, UsageError

MTIME = 1_700_000_000.0


def member(name: str, content: bytes) -> ZipMember:
    return ZipMember(name, len(content), zlib.crc32(content), MTIME)


def render(
    layout: ZipLayout, contents: list[bytes], start: int = 0, end: int | None = None
) -> bytes:
    out = []
    for piece in layout.pieces(start, end):
        if isinstance(piece, HeaderBytes):
            out.append(piece.data)
        else:
            out.append(contents[piece.index][piece.offset : piece.offset + piece.length])
    return b"".join(out)


CONTENTS = [b"hello world\n", b"", bytes(range(256)) * 300, "ünïcødé ✓".encode()]
NAMES = ["readme.txt", "empty.bin", "photos/2024/raw.bin", "docs/été ✓.txt"]


@pytest.fixture()
def layout() -> ZipLayout:
    members = [member(name, data) for name, data in zip(NAMES, CONTENTS, strict=True)]
    members.append(ZipMember("photos/empty-folder", 0, 0, MTIME, is_dir=True))
    return ZipLayout(members)


def test_standard_zip_readers_open_it_and_check_every_crc(layout: ZipLayout) -> None:
    whole = render(layout, [*CONTENTS, b""])
    assert len(whole) == layout.size
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [*NAMES, "photos/empty-folder/"]
        for name, data in zip(NAMES, CONTENTS, strict=True):
            assert archive.read(name) == data
        info = archive.getinfo("readme.txt")
        assert info.date_time == (2023, 11, 14, 22, 13, 20)
        assert info.external_attr >> 16 == 0o100644
        assert archive.getinfo("photos/empty-folder/").is_dir()


@pytest.mark.parametrize(
    ("start", "end"), [(0, 1), (10, 500), (29, 31), (100, None), (0, None), (5000, 70000)]
)
def test_any_range_equals_the_same_slice_of_the_whole(
    layout: ZipLayout, start: int, end: int | None
) -> None:
    contents = [*CONTENTS, b""]
    whole = render(layout, contents)
    assert render(layout, contents, start, end) == whole[start:end]


def test_every_single_byte_range_is_right(layout: ZipLayout) -> None:
    contents = [*CONTENTS, b""]
    whole = render(layout, contents)
    for start in range(0, layout.size, 97):
        assert render(layout, contents, start, start + 1) == whole[start : start + 1]


def test_content_pieces_point_into_the_member(layout: ZipLayout) -> None:
    reads = [p for p in layout.pieces(0, None) if isinstance(p, MemberBytes)]
    assert [(p.index, p.offset, p.length) for p in reads] == [
        (0, 0, len(CONTENTS[0])),
        (2, 0, len(CONTENTS[2])),
        (3, 0, len(CONTENTS[3])),
    ]


def test_the_same_members_give_the_same_bytes(layout: ZipLayout) -> None:
    again = ZipLayout(list(layout.members))
    contents = [*CONTENTS, b""]
    assert render(again, contents) == render(layout, contents)


def test_many_entries_switch_to_zip64_end_records() -> None:
    members = [member(f"f/{i}", b"") for i in range(70_000)]
    layout = ZipLayout(members)
    whole = render(layout, [b""] * len(members))
    assert b"PK\x06\x06" in whole[-200:]
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        assert len(archive.infolist()) == 70_000


class SparseArchive(io.RawIOBase):
    """A huge archive read lazily: member 0 is zeros, the others are given."""

    def __init__(self, layout: ZipLayout, small: dict[int, bytes]) -> None:
        self.layout = layout
        self.small = small
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.layout.size}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        end = self.layout.size if size < 0 else min(self.position + size, self.layout.size)
        parts = [self._bytes(piece) for piece in self.layout.pieces(self.position, end)]
        self.position = end
        return b"".join(parts)

    def _bytes(self, piece: HeaderBytes | MemberBytes) -> bytes:
        if isinstance(piece, HeaderBytes):
            return piece.data
        if piece.index in self.small:
            return self.small[piece.index][piece.offset : piece.offset + piece.length]
        return bytes(piece.length)


def test_members_over_4_gib_use_zip64_fields() -> None:
    huge = 5 * 1024**3
    layout = ZipLayout([ZipMember("big.iso", huge, 0x1234, MTIME), member("after.txt", b"x")])
    with zipfile.ZipFile(SparseArchive(layout, {1: b"x"})) as archive:
        big, after = archive.infolist()
        assert big.file_size == huge and big.compress_size == huge
        assert after.header_offset > 0xFFFFFFFF
        with archive.open("after.txt") as opened:  # the far offset is found through ZIP64
            assert opened.read() == b"x"


@pytest.mark.parametrize("name", ["../evil", "/abs", "a//b", "a\\b"])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(RemoteProtocolError):
        ZipLayout([member(name, b"x")])


def test_duplicates_and_bad_ranges_are_refused(layout: ZipLayout) -> None:
    with pytest.raises(UsageError):
        ZipLayout([member("a", b"1"), member("a", b"2")])
    with pytest.raises(UsageError):
        list(layout.pieces(layout.size + 1))
