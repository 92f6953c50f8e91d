"""Which names say a writer is not done with a file (``syncoxide.automation.unfinished``)."""

from __future__ import annotations

import pytest

from syncoxide.automation.unfinished import is_unfinished_name


@pytest.mark.parametrize(
    "path",
    [
        "photo.jpg.part",
        "trip/photo.JPG.PART",
        "film.mkv.partial",
        "report.pdf.crdownload",
        "scan.png.filepart",
        "~WRL0001.tmp",
        "~$report.docx",
        "docs/.~lock.report.odt#",
        ".goutputstream-4GX1Z2",
        ".photo.jpg.Ab3xYz",
        "trip/.IMG_0001.HEIC.q9W2e0",
        ".notes.txt.kq3vzp",  # one digit among lower-case letters: rsync's
        ".notes.txt.QWERTY",  # capitals only: rsync's too
        ".env.prod01",  # the rare false positive: a hand-made name of rsync's shape
    ],
)
def test_names_of_files_still_being_written(path: str) -> None:
    assert is_unfinished_name(path)


@pytest.mark.parametrize(
    "path",
    [
        "photo.jpg",
        "parts/photo.jpg",  # a folder so named says nothing about the file
        "report.partition.pdf",
        "party.png",
        "a~$b.docx",  # the marker starts a lock file's name, not any name
        ".DS_Store",
        ".photo.jpg",
        ".photo.jpg.Ab3x",  # rsync's random part is six characters
        "photo.jpg.Ab3xYz",  # and its temporary name starts with a dot
        ".profile.backup",  # six lower-case letters: a backup made by hand, not rsync's
        ".config.backup",
        ".bashrc.backup",
        "home/.vimrc.before",
        ".photo.jpg.kqvzpw",  # the rare miss: rsync's random part all lower-case
    ],
)
def test_names_of_whole_files(path: str) -> None:
    assert not is_unfinished_name(path)
