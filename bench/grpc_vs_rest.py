"""gRPC beside REST on one ``syncoxide serve --grpc-port``, same run, same account.

    .venv/bin/python bench/grpc_vs_rest.py [--calls 500] [--mib 256] [--rounds 3]

- small call: ``Me`` over one gRPC channel vs ``GET /api/v1/me`` over one keep-alive HTTP/1.1
  connection, CALLS each, one at a time: median and p95 latency;
- upload: MIB MiB of random bytes streamed by gRPC ``Upload`` (1 MiB parts) vs the REST way
  for big files (tus create, 8 MiB PATCHes, commit): median MB/s over ROUNDS.
Both run the same server-side operation (the gRPC call runs the REST handler); the difference
is transport. Ratios are gRPC/REST: below 1.0 for latency and above 1.0 for MB/s favour gRPC.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import httpx2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from syncoxide.server.grpc.v1 import api_pb2 as pb  # noqa: E402
from syncoxide.server.grpc.v1 import api_pb2_grpc as rpc  # noqa: E402
from tests.conftest import account_token, free_port, start_live_server  # noqa: E402

TUS = {"Tus-Resumable": "1.0.0"}
GRPC_PART = 1 << 20
TUS_PART = 8 << 20


def latencies(call: Callable[[], object], count: int) -> list[float]:
    taken = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        taken.append(time.perf_counter() - started)
    return taken


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def grpc_upload(files: rpc.FilesStub, token: str, data: bytes, path: str) -> None:
    def parts() -> Iterator[pb.UploadPart]:
        yield pb.UploadPart(header=pb.UploadHeader(path=path))
        view = memoryview(data)
        for start in range(0, len(data), GRPC_PART):
            yield pb.UploadPart(data=bytes(view[start : start + GRPC_PART]))

    entry = files.Upload(parts(), metadata=(("authorization", f"Bearer {token}"),))
    assert entry.size == len(data)


def rest_upload(http: httpx2.Client, data: bytes, path: str) -> None:
    created = http.post(
        "/api/v1/storage/uploads/", headers={**TUS, "Upload-Length": str(len(data))}
    )
    created.raise_for_status()
    location = created.headers["Location"]
    for start in range(0, len(data), TUS_PART):
        sent = http.patch(
            location,
            content=data[start : start + TUS_PART],
            headers={
                **TUS,
                "Upload-Offset": str(start),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        sent.raise_for_status()
    upload_id = location.rstrip("/").rsplit("/", 1)[-1]
    sha1 = hashlib.sha1(data).hexdigest()
    done = http.post(
        "/api/v1/storage/commit", json={"upload": upload_id, "path": path, "sha1": sha1}
    )
    done.raise_for_status()


def timed_mbps(upload: Callable[[str], None], size: int, rounds: int, name: str) -> float:
    rates = []
    for round_ in range(rounds):
        started = time.perf_counter()
        upload(f"bench/{name}-{round_}.bin")
        rates.append(size / (time.perf_counter() - started) / 1e6)
    return statistics.median(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    grpc_port = free_port()
    with tempfile.TemporaryDirectory(prefix="sxo-bench-grpc-") as scratch:
        server = start_live_server(Path(scratch) / "data", options=("--grpc-port", str(grpc_port)))
        try:
            token = account_token(server, "bench", Path(scratch))
            auth = {"Authorization": f"Bearer {token}"}
            with (
                grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel,
                httpx2.Client(base_url=server.url, headers=auth, timeout=120) as http,
            ):
                files = rpc.FilesStub(channel)
                signed = (("authorization", f"Bearer {token}"),)
                files.Me(pb.MeRequest(), metadata=signed)  # warm both paths
                http.get("/api/v1/me").raise_for_status()
                grpc_me = latencies(lambda: files.Me(pb.MeRequest(), metadata=signed), args.calls)
                rest_me = latencies(lambda: http.get("/api/v1/me").raise_for_status(), args.calls)
                data = os.urandom(args.mib << 20)
                size = len(data)
                grpc_rate = timed_mbps(
                    lambda p: grpc_upload(files, token, data, p), size, args.rounds, "grpc"
                )
                rest_rate = timed_mbps(
                    lambda p: rest_upload(http, data, p), size, args.rounds, "rest"
                )
        finally:
            server.stop()
    ms = 1000
    print(f"{'case':34} {'gRPC':>10} {'REST':>10} {'gRPC/REST':>10}")
    for label, ours, anchor in (
        (
            f"Me, median ms ({args.calls} calls)",
            statistics.median(grpc_me),
            statistics.median(rest_me),
        ),
        ("Me, p95 ms", p95(grpc_me), p95(rest_me)),
    ):
        print(f"{label:34} {ours * ms:10.2f} {anchor * ms:10.2f} {ours / anchor:10.2f}")
    print(
        f"{f'upload {args.mib} MiB, median MB/s':34} {grpc_rate:10.1f} {rest_rate:10.1f} "
        f"{grpc_rate / rest_rate:10.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
