"""The three reproductions from issue 26, run as written: the `syncoxide` command in a folder
holding `a` and `b`, as a separate process (so a traceback or a wrong exit code shows).

1. A name that is not valid UTF-8 stopped every run of the pair (exit 1, a traceback, nothing
   synced). Now it syncs with the rest.
2. Byte-identical files with other times became a conflict (a conflict copy, or the identical
   loser in the trash). Now they settle, and the older copy takes the newer time.
3. No safety stop when every file changed, when most of a side would go, or when a side lists
   empty (then every file of the other side went to the trash). Now each stops with its code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BAD = os.fsdecode(b"bad_\x81.txt")
JAN_2 = 978_393_600  # touch -d 2001-01-02 (UTC)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    return tmp_path


def syncoxide(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNCOXIDE_STATE_DIR": str(folder / "state")}
    done = subprocess.run(
        [sys.executable, "-m", "syncoxide.cli", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def bisync(folder: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return syncoxide(folder, "sync", "a", "b", "--mode", "bisync", *flags)


def user_files(side: Path) -> dict[str, bytes]:
    return {
        os.fsdecode(p.relative_to(side)): p.read_bytes()
        for p in side.rglob("*")
        if p.is_file() and ".syncoxide" not in p.parts
    }


def trash(side: Path) -> list[Path]:
    return [p for p in (side / ".syncoxide").rglob("*") if p.is_file() and "trash" in p.parts]


def test_reproduction_1_a_name_that_is_not_utf8_no_longer_stops_the_pair(folder: Path) -> None:
    a, b = folder / "a", folder / "b"
    (a / "ok.txt").write_text("x\n")
    assert bisync(folder, "--conflict", "keep-both").returncode == 0
    (a / "ok.txt").write_text("edit\n")
    (b / BAD).write_bytes(b"y")
    assert bisync(folder, "--conflict", "keep-both").returncode == 0
    assert (b / "ok.txt").read_text() == "edit\n"
    assert (a / BAD).read_bytes() == b"y"
    assert "0 planned" in bisync(folder, "--dry-run").stdout


@pytest.mark.parametrize("policy", [[], ["--conflict", "keep-both"]], ids=["newer", "keep-both"])
def test_reproduction_2_identical_files_at_other_times_are_no_conflict(
    folder: Path, policy: list[str]
) -> None:
    a, b = folder / "a", folder / "b"
    (a / "f.txt").write_bytes(b"same")
    (b / "f.txt").write_bytes(b"same")
    os.utime(a / "f.txt", (JAN_2, JAN_2))
    done = bisync(folder, *policy)
    assert done.returncode == 0 and "conflict" not in done.stdout
    assert user_files(a) == user_files(b) == {"f.txt": b"same"}
    assert not trash(a) and not trash(b)
    assert (a / "f.txt").stat().st_mtime_ns == (b / "f.txt").stat().st_mtime_ns  # aligned
    assert "0 planned" in bisync(folder, "--dry-run").stdout


def _synced(folder: Path, count: int = 6) -> None:
    for number in range(count):
        (folder / "a" / f"f{number}.txt").write_text(f"file {number}")
    assert bisync(folder).returncode == 0


def test_reproduction_3_safety_stops_where_rclone_has_them(folder: Path) -> None:
    a, b = folder / "a", folder / "b"
    _synced(folder)
    # One side suddenly empty (an unmounted disk): refused, nothing trashed.
    for path in a.glob("*.txt"):
        path.rename(folder / path.name)
    done = bisync(folder)
    assert done.returncode == 5 and "--allow-empty-side" in done.stderr
    assert len(user_files(b)) == 6 and not trash(b)
    for path in folder.glob("*.txt"):
        path.rename(a / path.name)
    # More than half of a side would be deleted.
    for number in range(4):
        (a / f"f{number}.txt").unlink()
    done = bisync(folder)
    assert done.returncode == 6 and "--max-delete-share" in done.stderr
    assert len(user_files(b)) == 6 and not trash(b)
    assert bisync(folder, "--force").returncode == 0 and len(trash(b)) == 4
    # Every file changed (a clock or restore accident): refused until --force.
    _synced(folder)
    for path in a.glob("*.txt"):
        os.utime(path, (JAN_2, JAN_2))
    done = bisync(folder)
    assert done.returncode == 7 and "--force" in done.stderr
    assert all((b / f"f{n}.txt").stat().st_mtime_ns != JAN_2 * 10**9 for n in range(6))
    assert bisync(folder, "--force").returncode == 0
    assert user_files(a) == user_files(b)
