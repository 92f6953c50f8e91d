"""Local backups: `syncoxide backup create` beside plain `borg create`, same tree, same run.

    .venv/bin/python bench/backup_local.py [--base /tmp/syncoxide-bench] [--small N] [--rounds 3]

Tree: the sync benchmark's seeded tree (N small files of 1-64 KiB + 20 of 32 MiB; 958 MiB at
the default N = 10,000), generated once under --base. Each round makes two fresh repositories
(repokey-blake2, each with its own BORG_BASE_DIR so neither reuses the other's cache), then
times, alternating which tool goes first: the first backup; 100 files touched + 100 modified;
the second backup. Goal: ours within 1.10x of plain borg's wall time on the second backup.
Reported: medians over rounds of wall, CPU (user+sys of the child and its borg) and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from sync_local import generate, measure, touch_and_modify

PASSPHRASE = "bench passphrase"


def borg_env(base: Path) -> None:
    os.environ["BORG_BASE_DIR"] = str(base)
    os.environ["BORG_PASSPHRASE"] = PASSPHRASE


def ours(repo: Path, name: str) -> list[str]:
    """``syncoxide backup create`` as people run it: the installed command (``python -m``
    only where it is not installed; runpy adds about 10 ms)."""
    script = Path(sys.executable).with_name("syncoxide")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "syncoxide.cli.main"]
    return [*command, "backup", "create", f"{repo}::{name}", str(repo.parent / "src")]


def plain(repo: Path, name: str) -> list[str]:
    return ["borg", "create", f"{repo}::{name}", str(repo.parent / "src")]


def one_round(base: Path, number: int) -> dict[str, dict[str, tuple[float, float, float]]]:
    results: dict[str, dict[str, tuple[float, float, float]]] = {"ours": {}, "borg": {}}
    tools = {"ours": ours, "borg": plain}
    order = ["ours", "borg"] if number % 2 == 0 else ["borg", "ours"]
    for tool in order:
        shutil.rmtree(base / f"repo-{tool}", ignore_errors=True)
        shutil.rmtree(base / f"borg-{tool}", ignore_errors=True)
        borg_env(base / f"borg-{tool}")
        code = os.system(f"borg init -e repokey-blake2 {base / f'repo-{tool}'} 2>/dev/null")
        assert code == 0
    for case in ("first", "second"):
        if case == "second":
            touch_and_modify(base / "src", 100, seed=number)
        for tool in order:
            borg_env(base / f"borg-{tool}")
            results[tool][case] = measure(
                tools[tool](base / f"repo-{tool}", f"{case}-{time.time_ns()}")
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    generate(args.base / "src", args.small)
    rounds = [one_round(args.base, n) for n in range(args.rounds)]
    print(f"{'case':<8} {'tool':<6} {'wall s':>8} {'cpu s':>8} {'RSS MB':>8}   ratio (wall, cpu)")
    for case in ("first", "second"):
        medians = {}
        for tool in ("ours", "borg"):
            runs = [r[tool][case] for r in rounds]
            medians[tool] = [statistics.median(v) for v in zip(*runs, strict=True)]
        for tool in ("ours", "borg"):
            wall, cpu, rss = medians[tool]
            ours_, borg_ = medians["ours"], medians["borg"]
            both = f"{ours_[0] / borg_[0]:.2f}x, {ours_[1] / borg_[1]:.2f}x"
            ratio = both if tool == "ours" else ""
            print(f"{case:<8} {tool:<6} {wall:>8.2f} {cpu:>8.2f} {rss:>8.0f}   {ratio}")


if __name__ == "__main__":
    main()
