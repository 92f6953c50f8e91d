"""Load held: many signaling peers, concurrent tus uploads and share downloads on one server,
beside a bare Starlette/uvicorn anchor doing the same work in the same run.

    .venv/bin/python bench/load_held.py [--rooms 100] [--uploads 50] [--downloads 500]
                                        [--rounds 3]

Both servers run as their own uvicorn process (one worker, same settings), driven by one
asyncio client from this process:
- signaling: ROOMS rooms of two peers (200 sockets); each sender relays 20 offers of 4 KB to
  its receiver, all rooms at once. Ours: ``/signal/{room}`` with tokens, limits and the outbox;
  anchor: a WebSocket route that relays to the room's other socket and nothing else;
- uploads: UPLOADS concurrent 1 MiB uploads. Ours: tus create + PATCH into a share (fsync,
  digests, commit); anchor: a PATCH that streams the body to a file and fsyncs it;
- downloads: DOWNLOADS concurrent GETs of one 256 KiB file. Ours: a share link's download
  (counting, tickets); anchor: Starlette's FileResponse.
Our server believes ``X-Forwarded-For`` from loopback here (SYNCOXIDE_TRUSTED_PROXIES), and
each simulated client sends its own address, as clients behind a proxy would: the per-address
limits then see many visitors instead of refusing one greedy one.
Reported per case: median wall time, errors (any non-2xx, refused socket, or wrong byte), and
the server's peak RSS; then the ratio ours/anchor (lower is better; 1.0 means no overhead).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import account_token, free_port, start_live_server  # noqa: E402

OFFERS = 20
OFFER = "v=0 " + "x" * 4096
UPLOAD = os.urandom(1 << 20)
DOWNLOAD = os.urandom(256 * 1024)


def anchor_app(folder: Path) -> Any:
    """The bare Starlette app: the same three jobs with none of our checks."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, Response
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    rooms: dict[str, list[WebSocket]] = {}  # file.bin is written by the parent (Anchor)

    async def relay(websocket: WebSocket) -> None:
        await websocket.accept()
        peers = rooms.setdefault(websocket.path_params["room"], [])
        peers.append(websocket)
        try:
            while True:
                text = await websocket.receive_text()
                for other in peers:
                    if other is not websocket:
                        await other.send_text(text)
        except WebSocketDisconnect:
            peers.remove(websocket)

    async def upload(request: Request) -> Response:
        path = folder / f"up-{request.path_params['name']}"
        with path.open("wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
            out.flush()
            await asyncio.to_thread(os.fsync, out.fileno())
        return Response(status_code=204)

    async def download(request: Request) -> Response:
        return FileResponse(folder / "file.bin")

    return Starlette(
        routes=[
            WebSocketRoute("/ws/{room}", relay),
            Route("/up/{name}", upload, methods=["PATCH"]),
            Route("/file", download),
        ]
    )


@dataclass
class Outcome:
    seconds: float
    errors: int


def visitor(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


async def pair(
    open_socket: Callable[[int], Awaitable[Any]], join: Callable[..., Any], n: int
) -> int:
    """One room: a receiver, a sender relaying OFFERS messages; 0 if all arrived intact."""
    receiver, sender = await open_socket(2 * n), await open_socket(2 * n + 1)
    try:
        await join(receiver, "receiver")
        await join(sender, "sender")
        for _ in range(OFFERS):
            await sender.send(json.dumps({"type": "offer", "sdp": OFFER}))
        got = 0
        while got < OFFERS:
            message = json.loads(await asyncio.wait_for(receiver.recv(), 30))
            got += message.get("sdp") == OFFER
        return 0
    except Exception:  # a refused or dropped socket is what we count
        return 1
    finally:
        await receiver.close()
        await sender.close()


async def timed(jobs: Sequence[Awaitable[int]]) -> Outcome:
    started = time.perf_counter()
    errors = sum(await asyncio.gather(*jobs))
    return Outcome(time.perf_counter() - started, errors)


class Ours:
    def __init__(self, scratch: Path) -> None:
        self.server = start_live_server(
            scratch / "data", env={"SYNCOXIDE_TRUSTED_PROXIES": "127.0.0.1"}
        )
        self.token = account_token(self.server, "bench", scratch)
        self.url = self.server.url
        self.auth = {"Authorization": f"Bearer {self.token}"}
        self.share = httpx2.post(
            f"{self.url}/api/v1/shares", json={"title": "load"}, headers=self.auth
        ).json()
        self.file_url = self._one_file()

    @property
    def pid(self) -> int:
        return self.server.process.pid

    def _one_file(self) -> str:
        with httpx2.Client(base_url=self.url, headers=self.auth) as client:
            status = asyncio.run(self._tus(None, 0, DOWNLOAD, "file.bin"))
            assert status == 0
            listed = client.get(f"/api/v1/shares/{self.share['id']}").json()["files"]
        url = str(listed[0]["download_url"])
        return url if url.startswith("http") else self.url + url

    async def signaling(self, rooms: int) -> Outcome:
        base = self.url.replace("http://", "ws://")
        async with httpx2.AsyncClient(base_url=self.url) as client:
            made = [
                (await client.post("/signal/rooms", headers=visitor(n))).json()
                for n in range(rooms)
            ]

        def job(n: int) -> Awaitable[int]:
            room = made[n]

            async def open_socket(k: int) -> Any:
                return await connect(f"{base}/signal/{room['room']}", additional_headers=visitor(k))

            async def join(socket: Any, role: str) -> None:
                await socket.send(
                    json.dumps({"type": "join", "token": room["token"], "role": role})
                )
                assert json.loads(await socket.recv())["type"] == "welcome"

            return pair(open_socket, join, n)

        return await timed([job(n) for n in range(rooms)])

    async def _tus(self, client: httpx2.AsyncClient | None, n: int, data: bytes, name: str) -> int:
        owned = client or httpx2.AsyncClient(base_url=self.url, timeout=120)
        meta = ",".join(
            f"{k} {base64.b64encode(v.encode()).decode()}"
            for k, v in (("share", self.share["id"]), ("path", name))
        )
        tus = {"Tus-Resumable": "1.0.0", **self.auth, **visitor(n)}
        try:
            made = await owned.post(
                "/api/v1/uploads/",
                headers={**tus, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
            )
            patched = await owned.patch(
                made.headers["location"],
                content=data,
                headers={
                    **tus,
                    "Upload-Offset": "0",
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            return 0 if patched.status_code == 204 else 1
        except (httpx2.HTTPError, KeyError):
            return 1
        finally:
            if client is None:
                await owned.aclose()

    async def uploads(self, count: int, round_: int) -> Outcome:
        async with httpx2.AsyncClient(base_url=self.url, timeout=120) as client:
            jobs = [self._tus(client, n, UPLOAD, f"r{round_}/u{n}.bin") for n in range(count)]
            return await timed(jobs)

    async def downloads(self, count: int) -> Outcome:
        return await download_all(self.file_url, count)

    def stop(self) -> None:
        self.server.stop()


class Anchor:
    def __init__(self, scratch: Path) -> None:
        (scratch / "file.bin").write_bytes(DOWNLOAD)  # the bytes the client checks
        port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--anchor", str(port), str(scratch)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{self.url}/file", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the anchor did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    async def signaling(self, rooms: int) -> Outcome:
        base = self.url.replace("http://", "ws://")

        def job(n: int) -> Awaitable[int]:
            async def open_socket(k: int) -> Any:
                return await connect(f"{base}/ws/room{n}")

            async def join(socket: Any, role: str) -> None:
                return None

            return pair(open_socket, join, n)

        return await timed([job(n) for n in range(rooms)])

    async def uploads(self, count: int, round_: int) -> Outcome:
        async with httpx2.AsyncClient(base_url=self.url, timeout=120) as client:

            async def one(n: int) -> int:
                answer = await client.patch(f"/up/r{round_}-{n}", content=UPLOAD)
                return 0 if answer.status_code == 204 else 1

            return await timed([one(n) for n in range(count)])

    async def downloads(self, count: int) -> Outcome:
        return await download_all(f"{self.url}/file", count)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


async def download_all(url: str, count: int) -> Outcome:
    limits = httpx2.Limits(max_connections=count)
    async with httpx2.AsyncClient(timeout=120, limits=limits) as client:

        async def one(n: int) -> int:
            try:
                answer = await client.get(url, headers=visitor(n))
            except httpx2.HTTPError:
                return 1
            return 0 if answer.status_code == 200 and answer.content == DOWNLOAD else 1

        return await timed([one(n) for n in range(count)])


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(server: Any, args: argparse.Namespace, round_: int) -> dict[str, Outcome]:
    return {
        "signaling": asyncio.run(server.signaling(args.rooms)),
        "uploads": asyncio.run(server.uploads(args.uploads, round_)),
        "downloads": asyncio.run(server.downloads(args.downloads)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--downloads", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        ours, anchor = Ours(Path(scratch) / "ours"), Anchor(Path(scratch))
        results: dict[str, dict[str, list[Outcome]]] = {"ours": {}, "anchor": {}}
        try:
            for round_ in range(args.rounds):  # alternate, so load on the machine hits both
                for name, server in (("ours", ours), ("anchor", anchor)):
                    for case, outcome in measure(server, args, round_).items():
                        results[name].setdefault(case, []).append(outcome)
            rss = {"ours": peak_rss_mib(ours.pid), "anchor": peak_rss_mib(anchor.pid)}
        finally:
            ours.stop()
            anchor.stop()
    report(results, rss, args)
    return 0


def report(results: dict[str, dict[str, list[Outcome]]], rss: dict[str, float], args: Any) -> None:
    sizes = {
        "signaling": f"{2 * args.rooms} peers in {args.rooms} rooms, {OFFERS} x 4 KB each",
        "uploads": f"{args.uploads} concurrent 1 MiB uploads",
        "downloads": f"{args.downloads} concurrent 256 KiB downloads",
    }
    print(
        f"load held, median of {args.rounds} rounds (ours: syncoxide serve; anchor: bare Starlette)"
    )
    for case, title in sizes.items():
        ours = statistics.median(o.seconds for o in results["ours"][case])
        bare = statistics.median(o.seconds for o in results["anchor"][case])
        errors = sum(o.errors for o in results["ours"][case])
        bare_errors = sum(o.errors for o in results["anchor"][case])
        print(
            f"  {title:48s} ours {ours:6.2f} s ({errors} errors)  anchor {bare:6.2f} s"
            f" ({bare_errors} errors)  ratio {ours / bare:4.2f}"
        )
    print(f"  peak RSS: ours {rss['ours']:.0f} MiB, anchor {rss['anchor']:.0f} MiB")


def run_anchor(port: int, folder: Path) -> None:
    import uvicorn

    uvicorn.run(anchor_app(folder), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--anchor":
        run_anchor(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(main())
