"""What goes wrong, with real borg: each failure is a clear error and loses nothing."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from syncoxide.errors import (
    NotFoundError,
    RepositoryLockedError,
    StorageFullError,
    UsageError,
    WrongPasswordError,
)
from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository

from .conftest import PASSPHRASE, make_tree, read_tree, run


def test_a_wrong_passphrase_is_named_and_changes_nothing(
    tmp_path: Path, repository: BorgRepository, settings: BorgSettings
) -> None:
    make_tree(tmp_path / "src", files=5)
    run(repository.create("kept", ["src"], cwd=tmp_path))
    wrong = BorgRepository(repository.location, BorgSettings("not it", settings.base_dir))
    with pytest.raises(WrongPasswordError) as caught:
        run(wrong.create("new", ["src"], cwd=tmp_path))
    assert "Nothing was changed" in str(caught.value)
    assert PASSPHRASE not in str(caught.value)
    assert [a.name for a in run(repository.summary()).archives] == ["kept"]


def test_a_missing_repository_says_how_to_make_one(tmp_path: Path, settings: BorgSettings) -> None:
    with pytest.raises(NotFoundError) as caught:
        run(BorgRepository(str(tmp_path / "nowhere"), settings).summary())
    assert "backup init" in str(caught.value)


def test_init_needs_a_passphrase(tmp_path: Path, settings: BorgSettings) -> None:
    bare = BorgSettings(None, settings.base_dir)
    with pytest.raises(UsageError, match="passphrase"):
        run(BorgRepository(str(tmp_path / "r"), bare).init())
    assert not (tmp_path / "r").exists()


def test_a_locked_repository_is_reported_as_locked(
    tmp_path: Path, repository: BorgRepository, settings: BorgSettings
) -> None:
    env = {**os.environ, "BORG_PASSPHRASE": PASSPHRASE, "BORG_BASE_DIR": str(settings.base_dir)}
    holder = subprocess.Popen(
        ["borg", "with-lock", repository.location.text, "sleep", "60"], env=env
    )
    try:
        lock = Path(repository.location.text) / "lock.exclusive"
        for _ in range(200):
            if lock.exists():
                break
            asyncio.run(asyncio.sleep(0.05))
        make_tree(tmp_path / "src", files=3)
        with pytest.raises(RepositoryLockedError) as caught:
            run(repository.create("blocked", ["src"], cwd=tmp_path))
        assert caught.value.retryable
    finally:
        holder.terminate()
        holder.wait()
    run(repository.create("after", ["src"], cwd=tmp_path))
    assert [a.name for a in run(repository.summary()).archives] == ["after"]


def test_a_killed_backup_leaves_a_usable_repository(
    tmp_path: Path, repository: BorgRepository
) -> None:
    tree = make_tree(tmp_path / "src", files=400)
    run(repository.create("first", ["src"], cwd=tmp_path))
    (tmp_path / "src" / "big.bin").write_bytes(os.urandom(64 << 20))

    async def kill_mid_way() -> None:
        task = asyncio.create_task(repository.create("killed", ["src"], cwd=tmp_path))
        for _ in range(400):
            await asyncio.sleep(0.05)
            pids = subprocess.run(
                ["pgrep", "-f", f"create.*{repository.location.text}::killed"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.split()
            if pids:
                await asyncio.sleep(0.5)
                for pid in pids:
                    os.kill(int(pid), signal.SIGKILL)  # no chance to clean up, like a power cut
                break
        with pytest.raises(Exception):  # noqa: B017 - any of our errors; checked below
            await task

    run(kill_mid_way())
    names = [a.name for a in run(repository.summary()).archives]
    assert "first" in names and "killed" not in names
    run(repository.create("next", ["src"], cwd=tmp_path))  # the stale lock is cleared by borg
    run(repository.extract("next", tmp_path / "out"))
    restored = read_tree(tmp_path / "out" / "src")
    assert {k: v for k, v in restored.items() if k != "big.bin"} == tree


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="needs root to mount")
def test_a_full_disk_is_named_and_the_repository_survives(
    tmp_path: Path, settings: BorgSettings
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4M", "tmpfs", str(small)], check=False
    )
    if mounted.returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        repository = BorgRepository(str(small / "repo"), settings)
        run(repository.init())
        make_tree(tmp_path / "src", files=3)
        run(repository.create("fits", ["src"], cwd=tmp_path))
        (tmp_path / "src" / "big.bin").write_bytes(os.urandom(8 << 20))
        with pytest.raises(StorageFullError) as caught:
            run(repository.create("too-big", ["src"], cwd=tmp_path))
        assert "left as it was" in str(caught.value)
        assert [a.name for a in run(repository.summary()).archives] == ["fits"]
        run(repository.extract("fits", tmp_path / "out"))
        assert (tmp_path / "out" / "src").is_dir()
    finally:
        subprocess.run(["umount", str(small)], check=False)
