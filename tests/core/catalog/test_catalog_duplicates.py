"""Duplicate guesses by name and size: offered only where the known hashes do not settle it."""

from __future__ import annotations

from syncoxide.catalog.duplicates import is_duplicate_guess
from syncoxide.catalog.model import CatalogEntry


def _file(source: str, content_hash: str = "") -> CatalogEntry:
    return CatalogEntry(source, "a/report.pdf", size=1000, content_hash=content_hash)


def test_files_without_hashes_or_with_hashes_of_other_kinds_are_a_guess() -> None:
    assert is_duplicate_guess([_file("sftp"), _file("webdav")])
    assert is_duplicate_guess([_file("home", "sha256:aa"), _file("s3", "md5:bb")])
    assert is_duplicate_guess([_file("home", "sha256:aa"), _file("sftp"), _file("s3", "md5:b")])
    assert is_duplicate_guess([_file("home", "sha256:aa"), _file("box", "sha256:aa"),
                               _file("sftp")])  # fmt: skip


def test_a_proven_group_or_proven_difference_is_no_guess() -> None:
    assert not is_duplicate_guess([_file("home", "sha256:aa"), _file("s3", "sha256:aa")])
    assert not is_duplicate_guess([_file("home", "sha256:aa"), _file("x", "sha256:bb")])
    assert not is_duplicate_guess([_file("home", "sha256:aa"), _file("x", "sha256:bb"),
                                   _file("sftp")])  # fmt: skip
    assert not is_duplicate_guess([_file("sftp")])
