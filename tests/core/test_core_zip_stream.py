"""Zips written as members arrive (CRC unknown in advance) open in the standard reader."""

from __future__ import annotations

import io
import zipfile

from syncoxide.archive.zip_stream import ZipStream


def test_members_in_pieces_read_back_byte_for_byte() -> None:
    stream = ZipStream()
    out = stream.add_folder("docs", 1_700_000_000)
    out += stream.start_file("docs/ü.txt", 1_700_000_000, 0o600)
    for piece in (b"hello ", b"", b"world"):
        out += stream.write(piece)
    out += stream.start_file("big.bin", 0)  # the previous member is closed on the way
    out += stream.write(bytes(range(256)) * 1000)
    out += stream.close()
    archive = zipfile.ZipFile(io.BytesIO(out))
    assert archive.testzip() is None
    assert archive.namelist() == ["docs/", "docs/ü.txt", "big.bin"]
    assert archive.read("docs/ü.txt") == b"hello world"
    assert archive.read("big.bin") == bytes(range(256)) * 1000
    info = archive.getinfo("docs/ü.txt")
    assert info.flag_bits & 0x08  # sizes and CRC in a data descriptor after the bytes
    assert (info.external_attr >> 16) & 0o777 == 0o600
    assert archive.getinfo("docs/").is_dir()


def test_an_empty_zip_is_a_valid_zip() -> None:
    archive = zipfile.ZipFile(io.BytesIO(ZipStream().close()))
    assert archive.namelist() == []
