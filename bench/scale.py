"""Scale-out figures: the same server as 1 and as 3 instances, beside the embedded default.

    .venv/bin/python bench/scale.py [--seconds 8] [--clients 32] [--relays 300] [--rounds 3]
                                    [--buses redis,nats]

Cases, same machine, same run (all loopback):
  embedded      one `syncoxide serve` on its defaults (SQLite, local disk, in-process hub),
                reached directly: the anchor
  1 + redis     one instance with SYNCOXIDE_BUS=redis://..., behind HAProxy (deploy/haproxy.cfg)
  3 + redis     three instances sharing the data directory and the bus, behind HAProxy
  1 + nats, 3 + nats   the same on SYNCOXIDE_BUS=nats://... (nats-server with JetStream)
Figures: authenticated `GET /api/v1/me` per second with --clients concurrent keep-alive
clients for --seconds, with p50/p95 latency; and signaling relay latency, one way (half a
ping-pong between a sender and a receiver in one room): embedded, within one instance on the
bus, and across two instances. Rounds alternate the cases; medians are reported.
On a 2-core machine three instances share the same two cores as one (and the load driver
takes its share), so the point is that the cost per request does not grow with instances;
docs/scaling.md turns the figures into a capacity per core.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "syncoxide.cli.main"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, started: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if started.poll() is not None:
            raise RuntimeError(f"{started.args!r} exited early")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open")


@contextlib.contextmanager
def running(
    command: list[str], port: int, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own group, ready once ``port`` opens, stopped by its PID."""
    started = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, started)
        yield started
    finally:
        stop_group(started, 20)


def stop_group(started: subprocess.Popen[bytes], seconds: float) -> None:
    """SIGINT to the process's group (a server stops cleanly), SIGKILL after ``seconds``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(started.pid, signal.SIGINT)
    try:
        started.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(started.pid, signal.SIGKILL)
        started.wait()


@contextlib.contextmanager
def instances(data: Path, count: int, env: dict[str, str]) -> Iterator[list[str]]:
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(count):  # one after another: the first migrates the database
            port = free_port()
            command = [*CLI, "serve", "--port", str(port), "--data-dir", str(data)]
            stack.enter_context(running(command, port, env))
            urls.append(f"http://127.0.0.1:{port}")
        yield urls


@contextlib.contextmanager
def balancer(folder: Path, urls: list[str]) -> Iterator[str]:
    """HAProxy with deploy/haproxy.cfg, its listening port and servers replaced."""
    front = free_port()
    text = (
        (ROOT / "deploy" / "haproxy.cfg")
        .read_text()
        .replace("bind :8000", f"bind 127.0.0.1:{front}")
    )
    text = re.sub(r"\n    server .*", "", text).rstrip("\n") + "\n"
    for n, url in enumerate(urls):
        text += f"    server i{n} {url.removeprefix('http://')} check inter 2s\n"
    (folder / "haproxy.cfg").write_text(text)
    with running(["haproxy", "-db", "-f", str(folder / "haproxy.cfg")], front):
        yield f"http://127.0.0.1:{front}"


def make_token(data: Path) -> str:
    password = data.parent / "password"
    password.write_text("bench password\n")
    where = ["--data-dir", str(data)]
    subprocess.run(
        [*CLI, "user", "add", "bench", "--password-file", str(password), *where],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    made = subprocess.run(
        [*CLI, "token", "create", "--user", "bench", *where],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return made.stdout.strip()


async def requests_per_second(
    url: str, token: str, clients: int, seconds: float
) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as http:

        async def client() -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                reply = await http.get("/api/v1/me")
                reply.raise_for_status()
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(client() for _ in range(clients)))
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95)] * 1000,
    }


#: Offers per room: each socket may send 200 messages at once, then 20 a second (signaling).
RELAYS_PER_ROOM = 100


async def relay_one_way_ms(sender_url: str, receiver_url: str, relays: int) -> dict[str, float]:
    """Half of each offer -> answer round trip between two peers of one room."""
    times: list[float] = []
    while len(times) < relays:
        times += await _relays_in_one_room(sender_url, receiver_url, RELAYS_PER_ROOM)
    ordered = sorted(times)
    return {"p50_ms": ordered[len(ordered) // 2], "p95_ms": ordered[int(len(ordered) * 0.95)]}


async def _relays_in_one_room(sender_url: str, receiver_url: str, relays: int) -> list[float]:
    async with httpx2.AsyncClient(timeout=10) as http:
        room = (await http.post(f"{sender_url}/signal/rooms")).json()
    path = f"/signal/{room['room']}"
    to_sender = connect(sender_url.replace("http", "ws", 1) + path)
    to_receiver = connect(receiver_url.replace("http", "ws", 1) + path)
    async with to_sender as sender, to_receiver as receiver:
        await sender.send(json.dumps({"type": "join", "token": room["token"], "role": "sender"}))
        await sender.recv()
        joining = {"type": "join", "token": room["token"], "role": "receiver"}
        await receiver.send(json.dumps(joining))
        await receiver.recv()
        await sender.recv()  # peer-joined
        times = []
        for n in range(relays):
            started = time.perf_counter()
            await sender.send(json.dumps({"type": "offer", "sdp": f"v=0 {n}"}))
            await receiver.recv()
            await receiver.send(json.dumps({"type": "answer", "sdp": f"v=0 {n}"}))
            await sender.recv()
            times.append((time.perf_counter() - started) / 2 * 1000)
    return times


def one_round(
    args: argparse.Namespace, buses: dict[str, str], folder: Path
) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    cases: list[tuple[str, int, dict[str, str]]] = [("embedded", 1, {})]
    for name, url in buses.items():
        bus = {"SYNCOXIDE_BUS": url, "SYNCOXIDE_TRUSTED_PROXIES": "127.0.0.1"}
        cases += [(f"1 + {name}", 1, bus), (f"3 + {name}", 3, bus)]
    for label, count, env in cases:
        data = Path(tempfile.mkdtemp(dir=folder)) / "data"
        with instances(data, count, env) as urls:
            token = make_token(data)
            with contextlib.ExitStack() as stack:
                front = urls[0] if not env else stack.enter_context(balancer(data.parent, urls))
                api = asyncio.run(requests_per_second(front, token, args.clients, args.seconds))
                figures[f"api {label}"] = api
                relay = asyncio.run(relay_one_way_ms(urls[0], urls[-1], args.relays))
                where = "across 2 instances" if count > 1 else "within 1 instance"
                figures[f"relay {label}, {where}"] = relay
    return figures


def bus_servers(names: list[str], folder: Path) -> Iterator[tuple[str, list[str], int, str]]:
    """For each bus named: its name, the command that starts a throwaway server, its port
    and its URL."""
    for name in names:
        port = free_port()
        if name == "redis":
            command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            command += ["--appendonly", "no", "--dir", str(folder)]
            yield name, command, port, f"redis://127.0.0.1:{port}/0"
        elif name == "nats":
            command = ["nats-server", "-a", "127.0.0.1", "-p", str(port), "-js"]
            command += ["-sd", str(folder / "nats")]
            yield name, command, port, f"nats://127.0.0.1:{port}"
        else:
            sys.exit(f"unknown bus {name!r}: use redis, nats or both")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--relays", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--buses", default="redis,nats", help="comma-separated: redis, nats")
    args = parser.parse_args()
    names = [name.strip() for name in args.buses.split(",") if name.strip()]
    for tool in ("haproxy", *(f"{name}-server" for name in names)):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install -y {tool}")
    folder = Path(tempfile.mkdtemp(prefix="syncoxide-scale-"))
    rounds = []
    try:
        with contextlib.ExitStack() as servers:
            buses: dict[str, str] = {}
            for name, command, port, url in bus_servers(names, folder):
                servers.enter_context(running(command, port))
                buses[name] = url
            for _ in range(args.rounds):
                rounds.append(one_round(args, buses, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(rounds)


def report(rounds: list[dict[str, dict[str, float]]]) -> None:
    anchor = statistics.median(r["api embedded"]["rps"] for r in rounds)
    print(f"{'case':<40} {'req/s':>8} {'vs anchor':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for case in rounds[0]:
        values = {k: statistics.median(r[case][k] for r in rounds) for k in rounds[0][case]}
        rps = values.get("rps")
        shown = f"{rps:8.0f} {rps / anchor:9.2f}x" if rps else f"{'':8} {'':10}"
        print(f"{case:<40} {shown} {values['p50_ms']:8.2f} {values['p95_ms']:8.2f}")
    print(f"(medians of {len(rounds)} rounds; anchor: the embedded server reached directly)")


if __name__ == "__main__":
    main()
