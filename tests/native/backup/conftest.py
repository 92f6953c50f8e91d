"""Real borg (Debian borgbackup) against repositories in a temporary folder.

Each test gets its own BORG_BASE_DIR, so borg's cache and security records of one test never
answer for another's repository, and nothing is written under the home folder.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository

T = TypeVar("T")
PASSPHRASE = "correct horse battery staple"

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@pytest.fixture
def borg_base(tmp_path: Path) -> Path:
    base = tmp_path / "borg-base"
    base.mkdir()
    return base


@pytest.fixture
def settings(borg_base: Path) -> BorgSettings:
    return BorgSettings(passphrase=PASSPHRASE, base_dir=borg_base, lock_wait=1)


@pytest.fixture
def repository(tmp_path: Path, settings: BorgSettings) -> Iterator[BorgRepository]:
    repo = BorgRepository(str(tmp_path / "repo"), settings)
    run(repo.init())
    yield repo


def plain_borg(
    base: Path, *args: str, passphrase: str = PASSPHRASE, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Plain ``borg ARGS`` as a user would run it, with the passphrase in BORG_PASSPHRASE."""
    env = {**os.environ, "BORG_PASSPHRASE": passphrase, "BORG_BASE_DIR": str(base)}
    return subprocess.run(["borg", *args], env=env, capture_output=True, cwd=cwd, check=False)


def make_tree(root: Path, files: int = 200, seed: int = 7) -> dict[str, bytes]:
    """A tree of files of 1-64 KiB of random bytes in nested folders; path -> content."""
    chance = random.Random(seed)
    tree: dict[str, bytes] = {}
    for number in range(files):
        relative = f"d{number % 7}/e{number % 3}/f{number}.bin"
        content = chance.randbytes(chance.randint(1, 64 * 1024))
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
        tree[relative] = content
    return tree


def read_tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
