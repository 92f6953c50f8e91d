"""`syncoxide sync` and bisync killed (SIGKILL) at seeded random points, then rerun.

    .venv/bin/python bench/sync_kill_points.py [--base DIR] [--files 10000] [--kills 200]
                                              [--per-round 10] [--seed 16] [--mode sync bisync]

For each mode a fresh pair of trees is built from the seed under --base (never in the repo):
--files files of 1-16 KiB in 100 folders. Then rounds: change a seeded share of the files
(modify 1%, add 0.5%, delete 0.5%; in bisync on both sides, at times the same file), start the
run and SIGKILL it after a seeded delay, --per-round times, checking between kills (sync) that
every file under its final name is a whole version (old or new: never half-written); then one run
to the end. After each round: lost = versions that are neither in a tree nor in the trash
(bisync) or wanted files missing or different (sync); corrupt = files under their final name
whose bytes are no version at all; converged = both sides equal and a rerun plans nothing.

Delays are uniform between 0 and the duration of the round's uninterrupted run, measured on
copies of the same trees first: that duration is the anchor, printed beside the median time a
run takes to finish after its last kill. Kills that came after the run ended are counted as
missed, not as kill points. Kills that left a plan journal behind (the next run resumes from
it rather than planning again) are counted apart.
tests/native/sync/test_sync_crash_resume.py is the small seeded variant in the test command
(8 kills per mode over 404 files).
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
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARTIAL_PREFIX = ".sxpart-"


@dataclass
class Tally:
    landed: int = 0
    missed: int = 0
    after_journal: int = 0
    lost: int = 0
    corrupt: int = 0
    rounds: int = 0
    converged: int = 0
    anchors: list[float] = field(default_factory=list)
    resumes: list[float] = field(default_factory=list)


def command(mode: str, one: Path, two: Path, state: Path) -> list[str]:
    return [sys.executable, "-m", "syncoxide.cli.main", "sync", str(one), str(two),
            "--mode", mode, "--state-dir", str(state), "--json"]  # fmt: skip


def run_to_end(argv: list[str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - started, json.loads(done.stdout)


def files(root: Path) -> dict[str, bytes]:
    """Every file under its final name (partials and the sync's own folder left out)."""
    found = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        hidden = relative.startswith(".syncoxide") or path.name.startswith(PARTIAL_PREFIX)
        if path.is_file() and not hidden:
            found[relative] = path.read_bytes()
    return found


def everything(root: Path) -> set[bytes]:
    """All bytes kept under root, the trash included."""
    return {path.read_bytes() for path in root.rglob("*") if path.is_file()}


def build(root: Path, count: int, rng: random.Random) -> None:
    for number in range(count):
        path = root / f"d{number % 100:02d}" / f"f{number:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(1024, 16 * 1024)))


def change(root: Path, rng: random.Random, tag: str, count: int) -> None:
    """Modify ~1%, add ~0.5%, delete ~0.5% of ``count`` files under root."""
    names = sorted(files(root))
    for relative in rng.sample(names, max(1, count // 100)):
        (root / relative).write_bytes(tag.encode() + rng.randbytes(rng.randint(100, 16 * 1024)))
    for number in range(max(1, count // 200)):
        path = root / f"d{number % 100:02d}" / f"new-{tag}-{number}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(100, 4096)))
    for relative in rng.sample(names, max(1, count // 200)):
        (root / relative).unlink(missing_ok=True)


def journal_exists(state: Path) -> bool:
    return any(state.glob("pairs/*/journal.sxwal"))


def kill_once(argv: list[str], delay: float, state: Path) -> tuple[bool, bool]:
    """(the kill landed on a running process, a journal was left to resume)."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    time.sleep(delay)
    landed = process.poll() is None
    if landed:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return landed, journal_exists(state)


def measure_anchor(mode: str, one: Path, two: Path, scratch: Path) -> float:
    """An uninterrupted run's duration on copies of the same trees (a new pair, so without the
    pair's saved state: it compares every file, as the resumed runs do)."""
    shutil.rmtree(scratch, ignore_errors=True)
    copies = scratch / "one", scratch / "two", scratch / "state"
    shutil.copytree(one, copies[0], symlinks=True)
    shutil.copytree(two, copies[1], symlinks=True)
    seconds, _ = run_to_end(command(mode, *copies))
    shutil.rmtree(scratch)
    return seconds


def one_round(
    mode: str,
    pair: tuple[Path, Path, Path],
    rng: random.Random,
    args: argparse.Namespace,
    tally: Tally,
) -> None:
    one, two, state = pair
    change(one, rng, f"r{tally.rounds}a", args.files)
    if mode == "bisync":
        change(two, rng, f"r{tally.rounds}b", args.files)
    versions = set(files(one).values()) | set(files(two).values())
    wanted, old = files(one), files(two)
    anchor = measure_anchor(mode, one, two, Path(args.base) / "anchor")
    tally.anchors.append(anchor)
    argv = command(mode, one, two, state)
    for _ in range(args.per_round):
        landed, journal = kill_once(argv, rng.uniform(0.0, anchor), state)
        tally.landed += landed
        tally.missed += not landed
        tally.after_journal += landed and journal
        if mode == "sync":  # mid-way, a final name holds the old or the new bytes, whole
            tally.corrupt += sum(
                data not in (wanted.get(name), old.get(name)) for name, data in files(two).items()
            )
    seconds, _ = run_to_end(argv)
    tally.resumes.append(seconds)
    judge(mode, pair, (versions, wanted), tally)


def judge(
    mode: str,
    pair: tuple[Path, Path, Path],
    before: tuple[set[bytes], dict[str, bytes]],
    tally: Tally,
) -> None:
    one, two, state = pair
    versions, wanted = before
    left, right = files(one), files(two)
    if mode == "sync":
        tally.lost += sum(right.get(name) != data for name, data in wanted.items())
    else:
        kept = everything(one) | everything(two)
        tally.lost += len(versions - kept)
        tally.corrupt += sum(data not in versions for data in (*left.values(), *right.values()))
    _, again = run_to_end(command(mode, one, two, state))
    tally.converged += left == right and again.get("planned") == 0
    tally.rounds += 1


def bench_mode(mode: str, args: argparse.Namespace) -> Tally:
    root = Path(args.base) / mode
    shutil.rmtree(root, ignore_errors=True)
    one, two, state = root / "one", root / "two", root / "state"
    one.mkdir(parents=True)
    two.mkdir()
    rng = random.Random(f"{args.seed}-{mode}")
    build(one, args.files, rng)
    run_to_end(command(mode, one, two, state))  # the first copy, uninterrupted
    tally = Tally()
    while tally.landed < args.kills:
        one_round(mode, (one, two, state), rng, args, tally)
    shutil.rmtree(root)
    return tally


def report(mode: str, tally: Tally, files_count: int) -> None:
    print(
        f"{mode:7s} {files_count} files: {tally.landed} kills landed ({tally.after_journal} left "
        f"a journal to resume, {tally.missed} missed), {tally.rounds} rounds: lost "
        f"{tally.lost}, corrupt {tally.corrupt}, converged {tally.converged}/{tally.rounds}; "
        f"uninterrupted run median {statistics.median(tally.anchors):.2f} s (anchor), "
        f"run after the last kill median {statistics.median(tally.resumes):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="/tmp/syncoxide-bench-kills")
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=200, help="kill points per mode")
    parser.add_argument("--per-round", type=int, default=10, help="kills between two rounds")
    parser.add_argument("--seed", default="16")
    parser.add_argument("--mode", nargs="+", default=["sync", "bisync"])
    args = parser.parse_args()
    failed = False
    for mode in args.mode:
        tally = bench_mode(mode, args)
        report(mode, tally, args.files)
        failed |= bool(tally.lost or tally.corrupt or tally.converged != tally.rounds)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
