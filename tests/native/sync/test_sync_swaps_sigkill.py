"""The CLI killed with SIGKILL while it swaps and cycles many names, then run to the end.

Hundreds of move chains (two-name swaps and three-name cycles, each a park and moves) run
side by side; the first run is killed while a parked file shows on the destination, so the
kill lands mid-chain, the others a seeded moment after the plan is journaled. After each kill
every file's bytes must still be on the destination under some name (its own, its new one, or
a parked name), and the final run must leave the destination equal to the source, nothing
parked, no byte sent again.
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


def _stopped(pid: int) -> None:
    """Wait until the SIGSTOP just sent has taken effect, so the files no longer change."""
    stat = Path(f"/proc/{pid}/stat")
    for _ in range(2000):
        if stat.read_text().rsplit(")", 1)[1].split()[0] in ("T", "t", "Z"):
            return
        time.sleep(0.0005)


def _kill_while_parked(command: list[str], two: Path) -> int:
    """Run the CLI, stopping it (SIGSTOP) every half millisecond to look at the destination,
    and SIGKILL it while stopped with a parked file showing: the kill lands mid-chain however
    fast the machine moves files (all ~530 chain steps take a few milliseconds on tmpfs).
    The number of parked files left behind; 0 when the run ended before a sample saw one."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        os.kill(proc.pid, signal.SIGSTOP)
        _stopped(proc.pid)
        if next(two.rglob(".sxpart-park-*"), None) is not None:
            break
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.0005)
    return _kill_now(proc, two)


def _kill_after_plan(command: list[str], state: Path, two: Path, delay: float) -> int:
    """Run the CLI and SIGKILL it ``delay`` seconds after its plan is journaled."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and not _journal_exists(state) and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(delay)
    return _kill_now(proc, two)


def _kill_now(proc: subprocess.Popen[bytes], two: Path) -> int:
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
    parked_at_kill = 0
    # A run that ends before a sample saw a park (it is unlikely) is rotated again and rerun.
    for _ in range(5):
        for names in groups:
            _rotate(one, names)
        parked_at_kill = _kill_while_parked(command, two)
        assert contents <= set(_files(two).values())
        if parked_at_kill:
            break
    assert parked_at_kill >= 1, "no kill landed while a chain had a file parked"
    wanted = _files(one)
    for delay in [rng.uniform(0, 0.3) for _ in range(3)]:
        _kill_after_plan(command, state, two, delay)
        # Every version is still on path2, under its own, its new or a parked name.
        assert contents <= set(_files(two).values())
    report = _finish(command)
    assert report["bytes_copied"] == 0, "a moved file was sent again"
    assert _files(two) == wanted
    assert not list(two.rglob(".sxpart-*")), "a parked or partial file survived"
    assert not _journal_exists(state)
    assert _finish(command)["planned"] == 0
