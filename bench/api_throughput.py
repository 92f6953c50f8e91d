"""Authenticated API requests per second, beside a bare Starlette app in the same run.

    .venv/bin/python bench/api_throughput.py [--requests 20000] [--rounds 5] [--live SECONDS]

In-process (default): both ASGI apps are called directly by the same driver, so the figure
is the server's own cost per request with no socket or client in the way:
- full: ``GET /api/v1/me`` with ``Authorization: Bearer`` through our whole stack (security
  headers middleware, routing, token hash + SQLite lookup, JSON error handling);
- bare: a Starlette app with one route returning the same JSON.
``--live SECONDS`` also runs both under uvicorn (one process each, same settings) and drives
them with ``wrk`` (Debian package; 1 thread, 16 keep-alive connections) for SECONDS per round:
the figure a client sees over HTTP. On a 2-core machine wrk competes with the server.
Rounds alternate full/bare and the medians are reported. Goal: full >= 70% of bare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.webbuild import project_root


def our_app(data_dir: Path) -> tuple[Any, str, dict[str, Any]]:
    app = create_app(ServerConfig(data_dir=data_dir, web_root=project_root() / "web"))
    accounts = app.state.services.accounts

    async def setup() -> str:
        user = await accounts.add_local_user("bench", "bench password")
        secret, _ = await accounts.create_token(user, "bench")
        return str(secret)

    token = asyncio.run(setup())
    body = {"user": {"id": 1, "name": "bench", "display_name": "bench"}, "via": "token"}
    return app, token, body


def bare_app(body: dict[str, Any]) -> Starlette:
    async def me(request: Request) -> JSONResponse:
        return JSONResponse(body)

    return Starlette(routes=[Route("/api/v1/me", me)])


def scope_for(token: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/me",
        "raw_path": b"/api/v1/me",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
        "state": {},
    }


async def drive(app: Any, scope: dict[str, Any], count: int, expected: bytes) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    sink: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sink.append(message)

    await app(dict(scope), receive, send)  # warm-up, and check the answer
    body = b"".join(m.get("body", b"") for m in sink if m["type"] == "http.response.body")
    assert sink[0]["status"] == 200 and json.loads(body) == json.loads(expected), body
    start = time.perf_counter()
    for _ in range(count):
        sink.clear()
        await app(dict(scope), receive, send)
    return count / (time.perf_counter() - start)


def in_process(requests: int, rounds: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        app, token, body = our_app(Path(folder) / "data")
        bare = bare_app(body)
        scope = scope_for(token)
        expected = json.dumps(body).encode()
        full_rates, bare_rates = [], []
        for _ in range(rounds):
            full_rates.append(asyncio.run(drive(app, scope, requests, expected)))
            bare_rates.append(asyncio.run(drive(bare, scope, requests, expected)))
    return statistics.median(full_rates), statistics.median(bare_rates)


def serve(kind: str, data_dir: Path, port: int) -> None:
    """Child process: one uvicorn serving either our app or the bare one."""
    import uvicorn

    app: Any
    if kind == "full":
        app = create_app(ServerConfig(data_dir=data_dir, web_root=project_root() / "web"))
    else:
        app = bare_app(json.loads((data_dir / "body.json").read_text()))
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )


def wrk(url: str, token: str, seconds: int) -> float:
    result = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    if "Non-2xx" in result.stdout:
        raise RuntimeError(f"errors during the run:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]


def live(seconds: int, rounds: int) -> tuple[float, float]:
    import httpx2

    from tests.conftest import free_port

    if shutil.which("wrk") is None:
        raise SystemExit("--live needs wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        _, token, body = our_app(data_dir)
        (data_dir / "body.json").write_text(json.dumps(body))
        servers, urls = [], {}
        for kind in ("full", "bare"):
            port = free_port()
            servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--serve",
                        kind,
                        "--data-dir",
                        str(data_dir),
                        "--port",
                        str(port),
                    ]
                )
            )
            urls[kind] = f"http://127.0.0.1:{port}/api/v1/me"
        try:
            for url in urls.values():
                for _ in range(100):
                    try:
                        if httpx2.get(url, headers={"Authorization": f"Bearer {token}"}).json():
                            break
                    except httpx2.TransportError:
                        time.sleep(0.1)
            rates: dict[str, list[float]] = {"full": [], "bare": []}
            for _ in range(rounds):
                for kind, url in urls.items():
                    rates[kind].append(wrk(url, token, seconds))
        finally:
            for server in servers:
                server.terminate()
                server.wait()
    return statistics.median(rates["full"]), statistics.median(rates["bare"])


def report(title: str, full: float, bare: float) -> None:
    print(title)
    print(f"  syncoxide GET /api/v1/me (Bearer, full stack): {full:9.0f} req/s")
    print(f"  bare Starlette, same JSON:                     {bare:9.0f} req/s")
    print(f"  ratio: {full / bare:.0%} of bare (goal >= 70%)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--live", type=int, default=0, metavar="SECONDS")
    parser.add_argument("--serve", choices=("full", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.data_dir, args.port)
        return 0
    full, bare = in_process(args.requests, args.rounds)
    report(f"in-process, {args.requests} requests x {args.rounds} rounds (median):", full, bare)
    if args.live:
        full, bare = live(args.live, args.rounds)
        report(
            f"over HTTP (uvicorn + wrk), {args.live} s x {args.rounds} rounds (median):", full, bare
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
