"""Kill the CLI with SIGKILL at random instants, re-run, and check convergence and integrity.

Bounded: a seeded schedule of kills per scenario, ~25 s in all on a loaded 2-core machine.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

SMALL, BIG = 400, 4


def _tree(root: Path, seed: int, tag: bytes) -> dict[str, bytes]:
    rng = random.Random(seed)
    files = {}
    for i in range(SMALL):
        files[f"d{i % 7}/s{i}.bin"] = tag + rng.randbytes(rng.randint(1, 8192))
    for i in range(BIG):
        files[f"big/b{i}.bin"] = tag + rng.randbytes(6 * 1024 * 1024)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def _cli(state: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "syncoxide.cli.main",
        "sync",
        *args,
        "--state-dir",
        str(state),
        "--json",
    ]


def _journal_exists(state: Path) -> bool:
    return bool(list(state.glob("pairs/*/journal.sxwal")))


def _kill_at_random(command: list[str], delays: list[float], state: Path) -> tuple[int, int]:
    """Returns (kills, kills that left a journal to resume).

    Odd attempts kill after a blind delay (maybe before the plan is journaled); even ones wait
    for the journal to appear and then kill a random moment later, so the resume path is hit
    however slow the machine is today."""
    kills = journals = 0
    for attempt, delay in enumerate(delays):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt % 2 == 0:
            deadline = time.monotonic() + 20
            while not _journal_exists(state) and proc.poll() is None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.002)
            delay /= 3
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        journals += _journal_exists(state)
    return kills, journals


def _finish(command: list[str]) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not str(p.relative_to(root)).startswith(".syncoxide")
    }


def _no_partials(*roots: Path) -> None:
    for root in roots:
        assert not list(root.rglob(".sxpart-*")), "a partial file survived a full run"


def test_sync_mode_survives_sigkill_anywhere(tmp_path: Path) -> None:
    one, two, state = tmp_path / "one", tmp_path / "two", tmp_path / "state"
    one.mkdir()
    two.mkdir()
    wanted = _tree(one, 1, b"new")
    old = _tree(two, 2, b"old")
    (two / "stale.txt").write_text("to be deleted")
    rng = random.Random(7)
    command = _cli(state, str(one), str(two), "--mode", "sync")
    kills, journals = _kill_at_random(command, [rng.uniform(0.1, 0.3) for _ in range(8)], state)
    assert journals >= 1, "no kill landed after the plan was journaled"
    # Mid-way, every file under its final name is a whole version: the old or the new one.
    for rel, content in _files(two).items():
        if Path(rel).name.startswith(".sxpart-"):
            continue  # a partial write: never under a final name, removed by the next run
        assert content in (wanted.get(rel), old.get(rel), b"to be deleted"), rel
    _finish(command)
    assert _files(two) == wanted
    _no_partials(two)
    assert _finish(command)["planned"] == 0
    assert kills >= 1, "the schedule never hit a running process; the test proved nothing"


def test_bisync_survives_sigkill_and_keeps_every_version(tmp_path: Path) -> None:
    one, two, state = tmp_path / "one", tmp_path / "two", tmp_path / "state"
    one.mkdir()
    two.mkdir()
    _tree(one, 3, b"base")
    command = _cli(state, str(one), str(two), "--mode", "bisync")
    _finish(command)
    rng = random.Random(11)
    for i in range(0, SMALL, 3):
        side = one if i % 2 else two
        (side / f"d{i % 7}/s{i}.bin").write_bytes(b"edit" + rng.randbytes(100))
    for i in range(1, SMALL, 10):
        (two / f"d{i % 7}/s{i}.bin").unlink(missing_ok=True)
        (one / f"d{i % 7}/s{i}.bin").write_bytes(b"edit-vs-delete" + rng.randbytes(50))
    (one / "big/b0.bin").write_bytes(b"big edit" + rng.randbytes(5 * 1024 * 1024))
    versions = set(_files(one).values()) | set(_files(two).values())
    kills, _ = _kill_at_random(command, [rng.uniform(0.1, 0.3) for _ in range(8)], state)
    _finish(command)
    assert _files(one) == _files(two)
    _no_partials(one, two)
    everything = {p.read_bytes() for root in (one, two) for p in root.rglob("*") if p.is_file()}
    assert versions <= everything, "a version was lost (neither in the trees nor in the trash)"
    assert _finish(command)["planned"] == 0
    assert kills >= 1
