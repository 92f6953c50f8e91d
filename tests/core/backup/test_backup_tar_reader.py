"""Tar streams read as they arrive: GNU long names (borg export-tar), pax, any cut of the bytes."""

from __future__ import annotations

import io
import random
import tarfile

import pytest

from syncoxide.backup.tar_reader import (
    TarData,
    TarEnd,
    TarEvent,
    TarMember,
    TarMemberEnd,
    TarReader,
    parse_pax_records,
)
from syncoxide.backup.tar_stream import END, file_header, folder_header, padding
from syncoxide.errors import MalformedDataError, TruncatedDataError

LONG = "deep/" + "n" * 120 + "/" + "é" * 60 + ".bin"


def gnu_tar(files: dict[str, bytes]) -> bytes:
    """A tar as borg 1.2's export-tar writes it (tarfile's GNU format)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as archive:
        folder = tarfile.TarInfo("deep")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(content), 1_700_000_000
            archive.addfile(info, io.BytesIO(content))
        link = tarfile.TarInfo("deep/" + "l" * 110)
        link.type, link.linkname = tarfile.SYMTYPE, "t" * 120
        archive.addfile(link)
    return out.getvalue()


def read_all(data: bytes, cut: int) -> list[TarEvent]:
    reader = TarReader()
    events: list[TarEvent] = []
    for start in range(0, len(data), cut):
        events += reader.feed(data[start : start + cut])
    reader.close()
    return events


def contents(events: list[TarEvent]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    current = None
    for event in events:
        if isinstance(event, TarMember):
            current = event.path
            found[current] = b""
        elif isinstance(event, TarData):
            assert current is not None
            found[current] += event.data
    return found


@pytest.mark.parametrize("cut", [1, 7, 511, 512, 513, 4096, 1 << 20])
def test_gnu_long_names_and_links_in_any_cut(cut: int) -> None:
    chance = random.Random(cut)
    files = {"a.txt": b"hello", LONG: chance.randbytes(3000), "empty": b""}
    events = read_all(gnu_tar(files), cut)
    members = [e for e in events if isinstance(e, TarMember)]
    assert [m.path for m in members] == ["deep", *files, "deep/" + "l" * 110]
    assert [m.kind for m in members] == ["dir", "file", "file", "file", "symlink"]
    assert members[-1].link_target == "t" * 120
    assert members[2].mtime == 1_700_000_000
    found = contents(events)
    assert all(found[name] == content for name, content in files.items())
    assert sum(isinstance(e, TarMemberEnd) for e in events) == len(members)
    assert isinstance(events[-1], TarEnd)


def test_pax_streams_we_write_read_back() -> None:
    content = bytes(range(256)) * 3
    stream = folder_header("ü", 5) + file_header("ü/" + "x" * 200, len(content), 6)
    stream += content + padding(len(content)) + END
    events = read_all(stream, 100)
    assert contents(events) == {"ü": b"", "ü/" + "x" * 200: content}


def test_a_cut_stream_is_an_error_not_a_short_archive() -> None:
    data = gnu_tar({"a.txt": b"hello" * 1000})
    reader = TarReader()
    reader.feed(data[:1500])
    with pytest.raises(TruncatedDataError):
        reader.close()


def test_damaged_headers_and_pax_records_are_refused() -> None:
    reader = TarReader()
    block = bytearray(gnu_tar({"a.txt": b"x"})[:512])
    block[0] ^= 0xFF  # the header's checksum no longer matches
    with pytest.raises(MalformedDataError):
        reader.feed(bytes(block))
    with pytest.raises(MalformedDataError):
        parse_pax_records(b"99 path=x\n")
    assert parse_pax_records(b"10 path=x\n\0\0") == {"path": "x"}
