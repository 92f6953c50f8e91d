"""The no-progress ``create`` (plain subprocess, no asyncio) fails exactly as the asyncio one:
same error class, same message, same hint, for the same real borg failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncoxide.errors import (
    ConfigError,
    NotFoundError,
    RepositoryLockedError,
    SyncoxideError,
    WrongPasswordError,
)
from syncoxide.native.backup.create import create_blocking
from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository

from .conftest import PASSPHRASE, make_tree, run


def both_paths_fail(
    repository: BorgRepository, tmp_path: Path
) -> tuple[SyncoxideError, SyncoxideError]:
    """The error of the asyncio ``create`` and of ``create_blocking``, same repository."""
    with pytest.raises(SyncoxideError) as on_loop:
        run(repository.create("on-loop", ["src"], cwd=tmp_path))
    with pytest.raises(SyncoxideError) as blocking:
        create_blocking(repository.location, repository.settings, "blocking", ["src"], cwd=tmp_path)
    return on_loop.value, blocking.value


def assert_same(first: SyncoxideError, second: SyncoxideError) -> None:
    assert type(first) is type(second)
    assert str(first) == str(second)
    assert first.hint == second.hint


def test_a_backup_without_progress_gives_the_same_archive_stats(
    tmp_path: Path, repository: BorgRepository
) -> None:
    make_tree(tmp_path / "src", files=20)
    stats = create_blocking(
        repository.location, repository.settings, "quiet", ["src"], cwd=tmp_path
    )
    assert stats.archive == "quiet" and stats.files == 20
    assert [a.name for a in run(repository.summary()).archives] == ["quiet"]


def test_a_wrong_passphrase_reads_the_same_on_both_paths(
    tmp_path: Path, repository: BorgRepository, settings: BorgSettings
) -> None:
    make_tree(tmp_path / "src", files=3)
    wrong = BorgRepository(repository.location, BorgSettings("not it", settings.base_dir))
    on_loop, blocking = both_paths_fail(wrong, tmp_path)
    assert isinstance(blocking, WrongPasswordError)
    assert str(blocking).startswith("The passphrase does not open this repository.")
    assert_same(on_loop, blocking)
    assert PASSPHRASE not in str(blocking) and "not it" not in str(blocking)
    assert run(repository.summary()).archives == []


@pytest.fixture
def held_lock(repository: BorgRepository, settings: BorgSettings) -> Iterator[None]:
    """Another borg holding the repository's lock (``borg with-lock ... sleep``)."""
    env = {**os.environ, "BORG_PASSPHRASE": PASSPHRASE, "BORG_BASE_DIR": str(settings.base_dir)}
    holder = subprocess.Popen(
        ["borg", "with-lock", repository.location.text, "sleep", "60"], env=env
    )
    try:
        lock = Path(repository.location.text) / "lock.exclusive"
        deadline = time.monotonic() + 10
        while not lock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock.exists(), "borg with-lock never took the lock"
        yield
    finally:
        holder.terminate()
        holder.wait()


def test_a_locked_repository_reads_the_same_on_both_paths(
    tmp_path: Path, repository: BorgRepository, held_lock: None
) -> None:
    make_tree(tmp_path / "src", files=3)
    on_loop, blocking = both_paths_fail(repository, tmp_path)
    assert isinstance(blocking, RepositoryLockedError) and blocking.retryable
    assert str(blocking).startswith("The repository is locked")
    assert_same(on_loop, blocking)


def test_a_missing_repository_reads_the_same_on_both_paths(
    tmp_path: Path, settings: BorgSettings
) -> None:
    make_tree(tmp_path / "src", files=3)
    nowhere = BorgRepository(str(tmp_path / "nowhere"), settings)
    on_loop, blocking = both_paths_fail(nowhere, tmp_path)
    assert isinstance(blocking, NotFoundError)
    assert_same(on_loop, blocking)


def test_what_the_end_needs_loads_while_borg_runs_and_a_failure_there_stops_borg(
    tmp_path: Path, repository: BorgRepository
) -> None:
    """``meanwhile`` runs once borg is our child; if it fails, borg is stopped (SIGTERM: it
    releases the lock) and the next backup runs."""
    make_tree(tmp_path / "src", files=5)
    children: list[str] = []

    def ours() -> set[str]:
        pid = os.getpid()
        return set(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())

    already = ours()  # this process may hold other children (servers a shared fixture started)

    def meanwhile() -> None:
        children.extend(sorted(ours() - already))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        create_blocking(
            repository.location, repository.settings, "stopped", ["src"], cwd=tmp_path,
            meanwhile=meanwhile,
        )  # fmt: skip
    assert len(children) == 1, "borg had not started when meanwhile ran (or is not our child)"
    assert not Path(f"/proc/{children[0]}").exists()  # stopped and waited for
    stats = create_blocking(repository.location, repository.settings, "next", ["src"], cwd=tmp_path)
    assert stats.files == 5
    names = [a.name for a in run(repository.summary()).archives]
    assert "next" in names and "stopped" not in names  # at most its checkpoint


@pytest.mark.parametrize("name", ["borg", "sh", "/usr/bin/env", "no-such-program-here", "/tmp"])
def test_borg_is_found_on_path_as_shutil_finds_it(name: str) -> None:
    expected = shutil.which(name)
    if expected is None:
        with pytest.raises(ConfigError, match="borg is not installed"):
            BorgSettings(executable=name).command("create")
    else:
        assert BorgSettings(executable=name).command("create")[0] == expected
