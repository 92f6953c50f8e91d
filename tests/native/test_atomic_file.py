"""replace_file: the old version or the new one, never half, never readable by others."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from syncoxide.native.atomic_file import replace_file


def test_the_new_bytes_replace_the_old_and_nothing_else_is_left(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    replace_file(target, b"new" * 100_000)
    assert target.read_bytes() == b"new" * 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_the_file_is_private_from_its_first_byte(tmp_path: Path) -> None:
    previous = os.umask(0)  # a permissive umask must not widen what the caller asked for
    try:
        replace_file(tmp_path / "secret", b"token")
        replace_file(tmp_path / "shared", b"keys", mode=0o644, durable=False)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_version_and_leaves_no_staging_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "trust.json"
    target.write_bytes(b"old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        replace_file(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trust.json"]
