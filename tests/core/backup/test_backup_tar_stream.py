"""The tar stream we frame for borg import-tar reads back with the standard tar reader."""

from __future__ import annotations

import io
import tarfile

import pytest

from syncoxide.backup.tar_stream import END, file_header, folder_header, padding
from syncoxide.errors import UsageError


def test_a_stream_of_files_reads_back_byte_for_byte() -> None:
    files = {"a.txt": b"hello", "dir/b.bin": bytes(range(256)) * 5, "dir/ü/" + "n" * 150: b""}
    stream = io.BytesIO()
    stream.write(folder_header("dir", 1_700_000_000))
    for name, content in files.items():
        stream.write(file_header(name, len(content), 1_700_000_000.7))
        stream.write(content + padding(len(content)))
    stream.write(END)
    assert len(stream.getvalue()) % 512 == 0
    stream.seek(0)
    with tarfile.open(fileobj=stream, mode="r:") as archive:
        members = archive.getmembers()
        assert [m.name for m in members] == ["dir", *files]
        assert members[0].isdir()
        for member in members[1:]:
            extracted = archive.extractfile(member)
            assert extracted is not None
            assert extracted.read() == files[member.name]
            assert member.mtime == 1_700_000_000


@pytest.mark.parametrize("bad", ["", "/", "../x", "a/../../b"])
def test_paths_that_would_leave_the_archive_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        file_header(bad, 0, 0)


def test_paths_are_made_relative() -> None:
    header = file_header("/abs//x/./y", 0, 0)
    assert tarfile.TarInfo.frombuf(header[:512], "utf-8", "surrogateescape").name == "abs/x/y"
