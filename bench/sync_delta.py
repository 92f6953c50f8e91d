"""A 1%-changed big file, local to local: syncoxide's delta beside a full copy and rsync's delta.

    .venv/bin/python bench/sync_delta.py [--base /tmp/syncoxide-delta-bench] [--repeat 3]
        [--big-mib 1024]

The source is --big-mib MiB of random bytes with ten 1 MiB stretches rewritten at random,
unaligned offsets (~1% of the bytes; up to twenty 1 MiB blocks). Before each timed run the
destination is reset to a copy of the old version (same old mtime), caches stay warm, and
dirty pages are flushed (``os.sync``) so no tool pays for another's writes. Tools alternate
order each round; the table shows medians and each figure as a share of syncoxide's own full
copy (``--whole-file``) from the same run:
- syncoxide: the default (changed blocks only, into a copy of the old file, fsync, rename);
- syncoxide --whole-file: the full copy (the anchor);
- rsync --no-whole-file: rsync's delta into a temporary file renamed into place (crash-safe,
  like ours; rsync never fsyncs);
- rsync --no-whole-file --inplace: rsync's delta written over the old file (not crash-safe);
- cp: a plain full copy, for scale (coreutils reflinks where it can: ~0 s on XFS).

Run it twice: on ext4 (no reflinks: our copy of the old file is a full in-kernel copy, then
fsynced) and on a reflink filesystem, e.g. as root with xfsprogs:
    truncate -s 6G /tmp/x.img && mkfs.xfs -q -m reflink=1 /tmp/x.img
    mkdir -p /tmp/x && mount -o loop /tmp/x.img /tmp/x    # --base /tmp/x/bench; umount after
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_local import MIB, SYNCOXIDE, measure

EDITS = 10


def prepare(base: Path, big_mib: int) -> tuple[Path, Path]:
    """``base/src/big.bin`` (the new version) and ``base/old.bin`` (the old one)."""
    src, old = base / "src", base / "old.bin"
    size = big_mib * MIB
    marker = base / f".ready-{big_mib}"
    if marker.exists():
        return src, old
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    with old.open("wb") as out:
        subprocess.run(["head", "-c", str(size), "/dev/urandom"], stdout=out, check=True)
    os.utime(old, ns=(1_600_000_000 * 10**9,) * 2)
    shutil.copyfile(old, src / "big.bin")
    rng = random.Random(25)
    with (src / "big.bin").open("r+b") as new:
        for _ in range(EDITS):
            new.seek(rng.randrange(size - MIB))
            new.write(rng.randbytes(MIB))
    marker.touch()
    return src, old


def reset(old: Path, dst: Path) -> None:
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    subprocess.run(["cp", "-p", "--reflink=never", str(old), str(dst / "big.bin")], check=True)


def tools(base: Path, src: Path) -> dict[str, Callable[[Path], list[str]]]:
    state = str(base / "state")
    ours = [*SYNCOXIDE, str(src)]
    return {
        "syncoxide (delta)": lambda dst: [*ours, str(dst), "--state-dir", state],
        "syncoxide --whole-file": lambda dst: [*ours, str(dst), "--state-dir", state,
                                               "--whole-file"],
        "rsync --no-whole-file": lambda dst: ["rsync", "-a", "--no-whole-file", f"{src}/",
                                              f"{dst}/"],
        "rsync --no-whole-file --inplace": lambda dst: ["rsync", "-a", "--no-whole-file",
                                                        "--inplace", f"{src}/", f"{dst}/"],
        "cp": lambda dst: ["cp", "-p", str(src / "big.bin"), str(dst / "big.bin")],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-delta-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-mib", type=int, default=1024)
    args = parser.parse_args()
    if shutil.which("rsync") is None:
        raise SystemExit("rsync is not installed: apt-get install -y rsync")
    src, old = prepare(args.base, args.big_mib)
    commands = tools(args.base, src)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    new_bytes = (src / "big.bin").read_bytes()
    for round_ in range(args.repeat):
        order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in order:
            dst = args.base / "dst"
            reset(old, dst)
            shutil.rmtree(args.base / "state", ignore_errors=True)
            wall, cpu, _ = measure(commands[name](dst))
            if (dst / "big.bin").read_bytes() != new_bytes:
                raise SystemExit(f"{name} did not produce the new version")
            walls[name].append(wall)
            cpus[name].append(cpu)
    anchor = statistics.median(walls["syncoxide --whole-file"])
    print(f"one {args.big_mib} MiB file, ~1% changed; medians of {args.repeat}")
    print(f"| {'tool':<32} | {'wall s':>7} | {'CPU s':>6} | {'of full copy':>12} |")
    print(f"|{'-' * 34}|{'-' * 9}|{'-' * 8}|{'-' * 14}|")
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"| {name:<32} | {wall:>7.2f} | {cpu:>6.2f} | {wall / anchor:>11.0%} |")


if __name__ == "__main__":
    main()
