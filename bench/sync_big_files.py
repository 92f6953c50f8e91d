"""Renames, one big file, and a resumed big copy: syncoxide beside rclone 1.60, same run.

    .venv/bin/python bench/sync_big_files.py [--base /tmp/syncoxide-bench] [--repeat 3]
        [--big-mib 2048]

Needs Debian's rclone (apt-get install -y rclone). Cases, tools alternating in order, medians:
- rename the tree's 20 x 32 MiB folder (the FACTS.md tree from bench/sync_local.py) and sync:
  syncoxide (renames tracked by default), rclone sync --track-renames, rclone sync;
- one 32 MiB file renamed, two 32 MiB files' names swapped, and the 20 x 32 MiB folder renamed,
  then sync (the same tools; a swap is planned as a move chain: park one file, move the other,
  move the parked one). Here syncoxide's destination is its own first copy, as a pair starts,
  so it knows a renamed file by its file id; the "rename" case above gives it a destination
  another tool filled, where every candidate is hashed on both sides, as rclone does;
- the same rename on path1 of a bisync pair, then bisync: syncoxide --mode bisync (the rename
  carried to path2 as moves), rclone bisync (1.60 tracks no renames in bisync: a delete plus
  a copy of each file);
- one file of --big-mib MiB, local to local: syncoxide (parts, 4 streams), rclone copy
  (its default multi-thread copy: 4 streams above 250 MiB);
- that copy killed with SIGKILL once half its parts are journaled, then the rerun timed
  (rclone has no part-way resume for a local copy: its figure is the full copy).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_local import MIB, REPO, SYNCOXIDE, generate, measure, median_each

from syncoxide.wal.replay import replay_journal

RCLONE = ["rclone", "--config", "/dev/null", "-q"]


def rename_rows(base: Path, repeat: int) -> list[tuple[str, str, tuple[float, float, float]]]:
    src = base / "src"
    tools = {
        "syncoxide": lambda dst: [*SYNCOXIDE, str(src), str(dst), "--mode", "sync",
                                  "--state-dir", str(base / "sx_state"), "--json"],
        "rclone --track-renames": lambda dst: [*RCLONE, "sync", str(src), str(dst),
                                               "--track-renames"],
        "rclone": lambda dst: [*RCLONE, "sync", str(src), str(dst)],
    }  # fmt: skip
    dests = {name: base / f"ren_{i}" for i, name in enumerate(tools)}
    for dst in dests.values():
        if not (dst / "big").exists():
            shutil.rmtree(dst, ignore_errors=True)
            subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in tools}
    for round_ in range(repeat):
        order = list(tools) if round_ % 2 == 0 else list(reversed(tools))
        for name in order:
            (src / "big").rename(src / "big_renamed")
            try:
                runs[name].append(measure(tools[name](dests[name])))
            finally:
                (src / "big_renamed").rename(src / "big")
            (dests[name] / "big_renamed").rename(dests[name] / "big")
    return [("rename 20 big files' folder", n, median_each(r)) for n, r in runs.items()]


def _one_file_renamed(src: Path) -> None:
    """big00 -> big00r, or back: each call is one rename of one 32 MiB file."""
    old, new = src / "big" / "big00.bin", src / "big" / "big00r.bin"
    (old if old.exists() else new).rename(new if old.exists() else old)


def _folder_renamed(src: Path) -> None:
    """big -> big_renamed, or back: the 20 x 32 MiB files' folder renamed as a whole."""
    old, new = src / "big", src / "big_renamed"
    (old if old.exists() else new).rename(new if old.exists() else old)


def _two_files_swapped(src: Path) -> None:
    """big01 <-> big02: each call swaps two 32 MiB files' names (a cycle of two)."""
    one, two, aside = (src / "big" / f"big{n}.bin" for n in ("01", "02", "01.t"))
    one.rename(aside)
    two.rename(one)
    aside.rename(two)


def toggled_rows(
    base: Path, repeat: int, before: Path | None = None
) -> list[tuple[str, str, tuple[float, float, float]]]:
    """Each round changes path1 once (a rename, then a swap), then times every tool's sync of
    it, tools alternating in order; the next round's change undoes it, so trees stay alike.
    ``before``: another checkout whose syncoxide runs too ("syncoxide before"), same rounds."""
    src = base / "src"

    def ours(state: str) -> Callable[[Path], list[str]]:
        return lambda dst: [*SYNCOXIDE, str(src), str(dst), "--mode", "sync",
                            "--state-dir", str(base / state), "--json"]  # fmt: skip

    tools: dict[str, Callable[[Path], list[str]]] = {
        "syncoxide": ours("sx_state"),
        "rclone --track-renames": lambda dst: [*RCLONE, "sync", str(src), str(dst),
                                               "--track-renames"],
        "rclone": lambda dst: [*RCLONE, "sync", str(src), str(dst)],
    }  # fmt: skip
    where = dict.fromkeys(tools, REPO)
    if before is not None:
        tools["syncoxide before"] = ours("sx_state_before")
        where["syncoxide before"] = before
    dests = {name: base / f"tog_{i}" for i, name in enumerate(tools)}
    for name, dst in dests.items():
        shutil.rmtree(dst, ignore_errors=True)
        if name.startswith("syncoxide"):
            # Its own first copy (untimed), as a pair starts: that copy leaves the digests
            # and source file ids a later rename is recognised by without reading the file.
            measure(tools[name](dst), cwd=where[name])
        else:
            subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    rows = []
    cases = (
        ("rename one 32 MiB file", _one_file_renamed),
        ("swap two 32 MiB files", _two_files_swapped),
        ("rename 20 big files' folder, own pair", _folder_renamed),
    )
    for label, change in cases:
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in tools}
        for round_ in range(repeat):
            change(src)
            for name in list(tools) if round_ % 2 == 0 else list(reversed(tools)):
                runs[name].append(measure(tools[name](dests[name]), cwd=where[name]))
        if repeat % 2:
            change(src)  # path1 as it was, for the cases that follow
        rows += [(label, name, median_each(r)) for name, r in runs.items()]
    return rows


def _bisync_pair(base: Path, name: str) -> tuple[Path, Path]:
    one, two = base / f"bi_{name}_1", base / f"bi_{name}_2"
    for side in (one, two):
        if not (side / "big").exists() and not (side / "big_renamed").exists():
            shutil.rmtree(side, ignore_errors=True)
            subprocess.run(["cp", "-a", str(base / "src"), str(side)], check=True)
    return one, two


def bisync_rename_rows(
    base: Path, repeat: int
) -> list[tuple[str, str, tuple[float, float, float]]]:
    """Each round renames the big folder on path1 (there and back), then one timed bisync."""
    pairs = {name: _bisync_pair(base, name) for name in ("sx", "rc")}
    state, work = base / "bi_sx_state", base / "bi_rc_work"
    tools = {
        "syncoxide bisync": [*SYNCOXIDE, *map(str, pairs["sx"]), "--mode", "bisync",
                             "--state-dir", str(state), "--json"],
        "rclone bisync": [*RCLONE, "bisync", *map(str, pairs["rc"]), "--workdir", str(work)],
    }  # fmt: skip
    if not state.exists():
        measure(tools["syncoxide bisync"])  # the first run records the pair's state
    if not work.exists():
        measure([*tools["rclone bisync"], "--resync"])
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in tools}
    for round_ in range(repeat):
        order = list(tools) if round_ % 2 == 0 else list(reversed(tools))
        for name in order:
            path1 = pairs["sx" if name.startswith("syncoxide") else "rc"][0]
            old, new = (
                ("big", "big_renamed") if (path1 / "big").exists() else ("big_renamed", "big")
            )
            (path1 / old).rename(path1 / new)
            runs[name].append(measure(tools[name]))
            two = pairs["sx" if name.startswith("syncoxide") else "rc"][1]
            left = [p for p in (two / old).rglob("*") if p.is_file()]  # rclone keeps the folder
            if not (two / new).is_dir() or left:
                raise SystemExit(f"{name} did not carry the rename: {sorted(os.listdir(two))}")
    return [("rename 20 big files' folder, bisync", n, median_each(r)) for n, r in runs.items()]


def _parts_journaled(state: Path) -> int:
    journals = list(state.glob("pairs/*/journal.sxwal"))
    return len(replay_journal(journals[0].read_bytes()).parts.get(0, {})) if journals else 0


def big_rows(
    base: Path, repeat: int, big_mib: int
) -> list[tuple[str, str, tuple[float, float, float]]]:
    src = base / "one_big"
    if not (src / "big.bin").exists() or (src / "big.bin").stat().st_size != big_mib * MIB:
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        subprocess.run(["head", "-c", str(big_mib * MIB), "/dev/urandom"],
                       stdout=(src / "big.bin").open("wb"), check=True)  # fmt: skip
    dst, state = base / "one_big_dst", base / "one_big_state"
    ours = [*SYNCOXIDE, str(src), str(dst), "--state-dir", str(state), "--json"]
    theirs = [*RCLONE, "copy", str(src), str(dst)]

    def fresh() -> None:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
        dst.mkdir()
        os.sync()

    runs: dict[str, list[tuple[float, float, float]]] = {
        "syncoxide": [],
        "rclone": [],
        "resume": [],
    }
    for round_ in range(repeat):
        for name in ["syncoxide", "rclone"] if round_ % 2 == 0 else ["rclone", "syncoxide"]:
            fresh()
            runs[name].append(measure(ours if name == "syncoxide" else theirs))
        fresh()
        half = (big_mib // 32) // 2
        proc = subprocess.Popen(ours, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while _parts_journaled(state) < half and proc.poll() is None:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        runs["resume"].append(measure(ours))
    label = f"one {big_mib} MiB file"
    return [
        (label, "syncoxide", median_each(runs["syncoxide"])),
        (label, "rclone", median_each(runs["rclone"])),
        (f"{label}, rerun after kill at 50%", "syncoxide", median_each(runs["resume"])),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-mib", type=int, default=2048)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="another checkout (e.g. git worktree of main) timed beside, for --cases toggle",
    )
    parser.add_argument(
        "--cases",
        default="rename,toggle,bisync,big",
        help="comma-separated: rename, toggle (one file renamed, two swapped, the big folder "
        "renamed, in syncoxide's own pair), bisync, big",
    )
    args = parser.parse_args()
    cases = set(args.cases.split(","))
    if shutil.which("rclone") is None:
        raise SystemExit("rclone is not installed: apt-get install -y rclone")
    args.base.mkdir(parents=True, exist_ok=True)
    generate(args.base / "src", args.small)
    rows = []
    if "rename" in cases:
        rows += rename_rows(args.base, args.repeat)
    if "toggle" in cases:
        rows += toggled_rows(args.base, args.repeat, args.before)
    if "bisync" in cases:
        rows += bisync_rename_rows(args.base, args.repeat)
    if "big" in cases:
        rows += big_rows(args.base, args.repeat, args.big_mib)
    print(f"| {'case':<40} | {'tool':<22} | {'wall s':>7} | {'CPU s':>6} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 42}|{'-' * 24}|{'-' * 9}|{'-' * 8}|{'-' * 13}|")
    for case, tool, (wall, cpu, rss) in rows:
        print(f"| {case:<40} | {tool:<22} | {wall:>7.2f} | {cpu:>6.2f} | {rss:>11.0f} |")
    _print_ratios(rows)


def _print_ratios(rows: list[tuple[str, str, tuple[float, float, float]]]) -> None:
    """Our wall time over each other tool's in the same case (below 1: we are faster)."""
    ours = {
        case: wall
        for case, tool, (wall, _, _) in rows
        if tool.startswith("syncoxide") and tool != "syncoxide before"
    }
    for case, tool, (wall, _, _) in rows:
        if tool in ours or (tool.startswith("syncoxide") and tool != "syncoxide before"):
            continue
        if case in ours and wall > 0:
            print(f"{case}: syncoxide / {tool} = {ours[case] / wall:.2f}")


if __name__ == "__main__":
    main()
