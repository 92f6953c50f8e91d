"""How soon one changed file reaches the other side: `sync --watch` beside a one-shot `sync`.

    .venv/bin/python bench/watch_latency.py [--base /tmp/syncoxide-bench-watch] [--changes 20]
        [--files 2000] [--settle 0.3]

Tree: --files small files (1-16 KiB, 20 folders), made once under --base. Then, in one run:
  watch     a `syncoxide sync SRC DST --watch` child; one file is rewritten with new bytes, the
            time until DST holds exactly those bytes is one sample (polled every 2 ms); the next
            change waits until the watcher's run for the last one printed its line.
  one-shot  the same change, then a plain `syncoxide sync SRC DST` child started at once; the
            time from the change until the child exited (the file is in place) is one sample.
This is the anchor: what a cron or a script calling sync right after the change achieves,
process start and a full listing included. Both use the same pair state and journal.
Figures: median, p95 and max of --changes samples each, and the p95 ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SYNCOXIDE = [sys.executable, "-m", "syncoxide.cli.main", "sync"]


def generate(src: Path, files: int, seed: int = 20261206) -> None:
    marker = src / ".bench-complete"
    if marker.exists() and marker.read_text() == str(files):
        return
    shutil.rmtree(src, ignore_errors=True)
    rng = random.Random(seed)
    for number in range(files):
        folder = src / f"dir{number % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{number:05d}.bin").write_bytes(rng.randbytes(rng.randint(1024, 16384)))
    marker.write_text(str(files))


def change(src: Path, number: int) -> tuple[str, bytes]:
    """Rewrite one file with new bytes; (its relative path, the bytes)."""
    relative = f"dir{number % 20:02d}/file{number:05d}.bin"
    body = os.urandom(4096) + number.to_bytes(4, "big")
    (src / relative).write_bytes(body)
    return relative, body


def arrived(dst: Path, relative: str, body: bytes) -> bool:
    try:
        return (dst / relative).read_bytes() == body
    except FileNotFoundError:
        return False


def wait_for(dst: Path, relative: str, body: bytes, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not arrived(dst, relative, body):
        if time.perf_counter() > deadline:
            raise SystemExit(f"{relative} did not arrive within {timeout} s")
        time.sleep(0.002)


def watch_samples(src: Path, dst: Path, state: Path, args: argparse.Namespace) -> list[float]:
    command = [*SYNCOXIDE, str(src), str(dst), "--watch", "--json", "--state-dir", str(state)]
    command += ["--mode", "sync", "--settle", str(args.settle)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert child.stdout is not None
    try:
        json.loads(child.stdout.readline())  # the first run: the tree is in step
        samples = []
        for number in range(args.changes):
            started = time.perf_counter()
            relative, body = change(src, number)
            wait_for(dst, relative, body)
            samples.append(time.perf_counter() - started)
            while json.loads(child.stdout.readline())["done"].get("copy", 0) == 0:
                pass  # a run that began before the change; the one that copied it follows
        return samples
    finally:
        child.send_signal(signal.SIGINT)
        if child.wait(timeout=30) != 130:
            raise SystemExit(f"the watcher exited {child.returncode}, not 130")


def one_shot_samples(src: Path, dst: Path, state: Path, changes: int) -> list[float]:
    samples = []
    for number in range(changes):
        started = time.perf_counter()
        relative, body = change(src, 1000 + number)
        command = [*SYNCOXIDE, str(src), str(dst), "--mode", "sync", "--state-dir", str(state)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
        samples.append(time.perf_counter() - started)
        if not arrived(dst, relative, body):
            raise SystemExit(f"one-shot sync did not copy {relative}")
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def line(name: str, samples: list[float]) -> str:
    median, worst = statistics.median(samples), max(samples)
    return f"{name:<10} median {median:6.3f} s   p95 {p95(samples):6.3f} s   max {worst:6.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench-watch"))
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--settle", type=float, default=0.3)
    args = parser.parse_args()
    src, dst, state = args.base / "src", args.base / "dst", args.base / "state"
    generate(src, args.files)
    shutil.rmtree(dst, ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)
    watched = watch_samples(src, dst, state, args)
    one_shot = one_shot_samples(src, dst, state, args.changes)
    print(f"one changed file, {args.changes} changes each, tree of {args.files} files")
    print(line("watch", watched) + f"   (--settle {args.settle})")
    print(line("one-shot", one_shot) + "   (anchor: a sync started right after the change)")
    print(f"p95 watch / one-shot: {p95(watched) / p95(one_shot):.2f}")


if __name__ == "__main__":
    main()
