"""Fault suite: the destination disk fills up in the middle of ``syncoxide sync``.

The destination is a small tmpfs the test mounts (as root; skipped with the reason where
mounting is not permitted), partly taken by another file. The sync must stop on the files
that do not fit with a clear "no space" message and a failing exit code, leave every file it
did name byte-exact (no cut file under a real name, no partial file left behind), touch
nothing in the source, and, once space is freed, a second run must finish the job.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.live

MiB = 1 << 20
DISK = 16 * MiB


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_a_sync_onto_a_full_disk_says_so_keeps_what_it_named_and_finishes_later(
    small_disk: Path, tmp_path: Path
) -> None:
    source = tmp_path / "photos"
    for n in range(12):
        (source / f"day{n % 3}").mkdir(parents=True, exist_ok=True)
        (source / f"day{n % 3}" / f"{n:02d}.jpg").write_bytes(os.urandom(MiB + n))
    before = digests(source)
    filler = small_disk / "someone-elses.bin"
    filler.write_bytes(bytes(8 * MiB))
    target = small_disk / "photos"

    first = run_cli("sync", source, target)
    assert first.returncode != 0, first.stdout
    said = first.stdout + first.stderr
    assert "No space left on device" in said, said
    named = digests(target)  # every file there, hidden ones included
    assert 0 < len(named) < len(before), named  # the disk filled up in the middle
    assert set(named) <= set(before), named  # no partial or temporary file left behind
    assert all(before[path] == digest for path, digest in named.items())  # none cut short
    assert digests(source) == before  # the source is untouched

    filler.unlink()
    second = run_cli("sync", source, target)
    assert second.returncode == 0, second.stdout + second.stderr
    assert digests(target) == before
    assert digests(source) == before
