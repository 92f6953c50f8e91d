"""The CLI killed with SIGKILL while it swaps and cycles many names, then run to the end.

Hundreds of move chains (two-name swaps and three-name cycles, each a park and moves) run
side by side; each run is killed a seeded moment after a parked file first shows on the
destination, so the kill lands mid-chain. After each kill every file's bytes must still be
on the destination under some name (its own, its new one, or a parked name), and the final
run must leave the destination equal to the source, nothing parked, no byte sent again.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .test_sync_crash_resume import _cli, _files, _finish, _journal_exists

pytestmark = pytest.mark.live

GROUPS = 150  # of two names (a swap) or three (a cycle): ~375 files, ~530 chain steps


def _seed(root: Path, rng: random.Random) -> list[list[str]]:
    groups = []
    for g in range(GROUPS):
        names = [f"g{g % 10}/n{g}-{k}.bin" for k in range(2 + g % 2)]
        for k, name in enumerate(names):
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rng.randbytes(rng.randint(1, 6) * 1024))
            stamp = 1_700_000_000 + 10 * (3 * g + k)
            os.utime(path, (stamp, stamp))
        groups.append(names)
    return groups


def _rotate(root: Path, names: list[str]) -> None:
    """n0 -> n1 -> ... -> n0 (a swap for two names)."""
    parked = root / (names[-1] + ".t")
    (root / names[-1]).rename(parked)
    for old, new in reversed(list(itertools.pairwise(names))):
        (root / old).rename(root / new)
    parked.rename(root / names[0])


def _kill_once_parked(command: list[str], two: Path, extra: float) -> int:
    """Start the run, SIGKILL it ``extra`` seconds after a parked file first shows (or when
    it ends by itself); the number of parked files the killed run left behind."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if next(two.rglob(".sxpart-park-*"), None) is not None:
            time.sleep(extra)
            break
        time.sleep(0.002)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.returncode != -signal.SIGKILL:
        return 0
    return len(list(two.rglob(".sxpart-park-*")))


def test_sync_killed_among_move_chains_loses_nothing(tmp_path: Path) -> None:
    one, two, state = tmp_path / "one", tmp_path / "two", tmp_path / "state"
    one.mkdir()
    rng = random.Random(31)
    groups = _seed(one, rng)
    command = _cli(state, str(one), str(two), "--mode", "sync")
    _finish(command)
    contents = set(_files(one).values())
    for names in groups:
        _rotate(one, names)
    wanted = _files(one)
    parked_at_kill = 0
    # The first kill lands the moment a parked file shows (a fast machine finishes a chain's
    # park and moves within milliseconds); the others a seeded moment later.
    for extra in [0.0] + [rng.uniform(0, 0.3) for _ in range(3)]:
        parked_at_kill += _kill_once_parked(command, two, extra)
        # Every version is still on path2, under its own, its new or a parked name.
        assert contents <= set(_files(two).values())
    assert parked_at_kill >= 1, "no kill landed while a chain had a file parked"
    report = _finish(command)
    assert report["bytes_copied"] == 0, "a moved file was sent again"
    assert _files(two) == wanted
    assert not list(two.rglob(".sxpart-*")), "a parked or partial file survived"
    assert not _journal_exists(state)
    assert _finish(command)["planned"] == 0
