"""Memory of held signaling peers, per instance, beside the embedded default.

    .venv/bin/python bench/signaling_peers.py [--peers 10000] [--instances 3] [--bus redis]

Each case holds --peers WebSocket peers joined in rooms of two (a sender and a receiver),
pinging every 10 s as the app does, then reads every server process's resident memory:
  embedded      one `syncoxide serve` on its defaults (in-process hub): the anchor
  N + bus       N instances sharing the bus (redis or nats); each room's sender is on one
                instance and its receiver on the next, so every room spans two instances
Rooms are created as from distinct addresses (X-Forwarded-For through a trusted proxy, as
many visitors behind a balancer), since one address may create 30 rooms a minute.
Figures: each instance's RSS idle and holding the peers, and the cost per peer it holds
(KiB). Before the memory is read, one room per case relays an offer across its instances,
so the peers are live, not just open sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from scale import running  # bench/ is the script's own folder on sys.path
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "syncoxide.cli.main"]
PING_SECONDS = 10.0
JOINING_AT_ONCE = 64


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


@contextlib.contextmanager
def servers(data: Path, count: int, env: dict[str, str]) -> Iterator[list[Server]]:
    with contextlib.ExitStack() as stack:
        found = []
        for _ in range(count):  # one after another: the first migrates the database
            port = free_port()
            command = [*CLI, "serve", "--port", str(port), "--data-dir", str(data)]
            process = stack.enter_context(running(command, port, env))
            found.append(Server(f"http://127.0.0.1:{port}", process))
        yield found


def _address(n: int) -> str:
    """A distinct visitor address for room ``n`` (10.0.0.0/8 holds 16 million)."""
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


async def _join(url: str, room: dict[str, str], role: str) -> ClientConnection:
    socket_url = url.replace("http", "ws", 1) + f"/signal/{room['room']}"
    peer = await connect(socket_url, max_queue=4, ping_interval=None, open_timeout=120)
    await peer.send(json.dumps({"type": "join", "token": room["token"], "role": role}))
    await peer.recv()  # welcome
    return peer


async def _create_room(http: httpx2.AsyncClient, url: str, n: int) -> dict[str, str]:
    # A kept-alive connection the server just closed fails the request that reused it
    # (a race of every HTTP/1.1 client); the request is simply sent again.
    for attempt in range(3):
        try:
            made = await http.post(f"{url}/signal/rooms", headers={"X-Forwarded-For": _address(n)})
            made.raise_for_status()
            room: dict[str, str] = made.json()
            return room
        except httpx2.TransportError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _room(http: httpx2.AsyncClient, at: list[Server], n: int) -> list[ClientConnection]:
    sender_at, receiver_at = at[n % len(at)], at[(n + 1) % len(at)]
    room = await _create_room(http, sender_at.url, n)
    sender = await _join(sender_at.url, room, "sender")
    receiver = await _join(receiver_at.url, room, "receiver")
    await sender.recv()  # peer-joined: the room spans both instances
    return [sender, receiver]


async def _keep_alive(peers: list[ClientConnection], stop: asyncio.Event) -> None:
    ping = json.dumps({"type": "ping"})
    while not stop.is_set():
        began = time.monotonic()
        for peer in list(peers):
            with contextlib.suppress(Exception):
                await peer.send(ping)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.5, PING_SECONDS - (time.monotonic() - began)))


async def _drain(peers: list[ClientConnection], stop: asyncio.Event) -> None:
    """Read what the servers send (pongs), so no socket's queue fills up."""

    async def read(peer: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for _ in peer:
                if stop.is_set():
                    return

    await asyncio.gather(*(read(peer) for peer in peers))


async def hold_peers(at: list[Server], count: int) -> dict[str, Any]:
    """Join ``count`` peers; answers each server's RSS with them held, and seconds to join."""
    peers: list[ClientConnection] = []
    stop = asyncio.Event()
    keeper = asyncio.create_task(_keep_alive(peers, stop))
    gate = asyncio.Semaphore(JOINING_AT_ONCE)
    began = time.monotonic()
    async with httpx2.AsyncClient(timeout=60) as http:

        async def one(n: int) -> None:
            async with gate:
                peers.extend(await _room(http, at, n))

        await asyncio.gather(*(one(n) for n in range(count // 2)))
        joined_in = time.monotonic() - began
        probe = await _room(http, at, count // 2)  # live: an offer crosses the instances
        await probe[0].send(json.dumps({"type": "offer", "sdp": "v=0 probe"}))
        assert json.loads(await probe[1].recv())["type"] == "offer"
        peers.extend(probe)
    drainer = asyncio.create_task(_drain(peers, stop))
    await asyncio.sleep(PING_SECONDS * 1.5)  # a full ping round: every peer still held
    rss = [server.rss_kib() for server in at]
    stop.set()
    keeper.cancel()
    await asyncio.gather(*(peer.close() for peer in peers), return_exceptions=True)
    drainer.cancel()
    return {"rss": rss, "joined_in": joined_in, "held": len(peers)}


def one_case(
    label: str, count: int, env: dict[str, str], peers: int, folder: Path
) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(dir=folder)) / "data"
    with servers(data, count, {"SYNCOXIDE_TRUSTED_PROXIES": "127.0.0.1", **env}) as at:
        asyncio.run(hold_peers(at, 4))  # warm: every module a room needs is loaded
        idle = [server.rss_kib() for server in at]
        held = asyncio.run(hold_peers(at, peers))
    per_instance = held["held"] / count
    growth = [after - before for before, after in zip(idle, held["rss"], strict=True)]
    return {
        "case": label,
        "idle_mib": statistics.median(idle) / 1024,
        "held_mib": max(held["rss"]) / 1024,
        "kib_per_peer": statistics.median(growth) / per_instance,
        "joined_per_s": held["held"] / held["joined_in"],
        "peers": held["held"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peers", type=int, default=10_000)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--bus", default="redis", choices=["redis", "nats"])
    args = parser.parse_args()
    tool = f"{args.bus}-server"
    if not shutil.which(tool):
        sys.exit(f"{tool} is needed: apt-get install -y {tool}")
    folder = Path(tempfile.mkdtemp(prefix="syncoxide-peers-"))
    port = free_port()
    if args.bus == "redis":
        command = [tool, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        url = f"redis://127.0.0.1:{port}/0"
    else:
        command = [tool, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(folder / "js")]
        url = f"nats://127.0.0.1:{port}"
    rows = []
    try:
        with running(command, port):
            rows.append(one_case("embedded", 1, {}, args.peers, folder))
            label = f"{args.instances} + {args.bus}"
            rows.append(one_case(label, args.instances, {"SYNCOXIDE_BUS": url}, args.peers, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(rows)


def report(rows: list[dict[str, Any]]) -> None:
    anchor = rows[0]["kib_per_peer"]
    print(
        f"{'case':<14} {'peers':>7} {'idle MiB':>9} {'held MiB':>9}"
        f" {'KiB/peer':>9} {'vs anchor':>10} {'joined/s':>9}"
    )
    for row in rows:
        print(
            f"{row['case']:<14} {row['peers']:>7} {row['idle_mib']:>9.1f} {row['held_mib']:>9.1f}"
            f" {row['kib_per_peer']:>9.1f} {row['kib_per_peer'] / anchor:>9.2f}x"
            f" {row['joined_per_s']:>9.0f}"
        )
    print("(held MiB: the largest instance; KiB/peer: median growth per instance / its peers)")


if __name__ == "__main__":
    main()
