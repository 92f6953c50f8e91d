"""Three ``syncoxide serve`` behind HAProxy with deploy/haproxy.cfg (its ports replaced):
round robin sends each request to the next instance, and uploads, downloads and live
events still work as on one server.

The instances share a data directory (its SQLite file), blobs and tus uploads in S3
(rclone serve s3) and a Redis bus (the first test also on a NATS bus).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx2
import pytest
from websockets.sync.client import connect

from tests.conftest import PROJECT_ROOT, LiveServer, start_live_server
from tests.native.providers.server_processes import free_port, require_binary, running
from tests.server.links.links_world import metadata
from tests.server.scale.test_two_instances import _token
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = pytest.mark.live
TUS = {"Tus-Resumable": "1.0.0"}
INSTANCES = 3


def _named(path: str) -> str:
    return metadata(path=path)


def haproxy_config(front: int, ports: list[int]) -> str:
    """The reference config with its listening port and server lines replaced."""
    text = (PROJECT_ROOT / "deploy" / "haproxy.cfg").read_text()
    text = text.replace("bind :8000", f"bind 127.0.0.1:{front}")
    text = re.sub(r"\n    server .*", "", text)
    line = "    server i{} 127.0.0.1:{} check inter 1s fall 2 rise 1"
    servers = [line.format(n, port) for n, port in enumerate(ports)]
    return text.rstrip("\n") + "\n" + "\n".join(servers) + "\n"


@dataclass
class Balanced:
    url: str
    instances: list[LiveServer]


@pytest.fixture
def balanced(tmp_path: Path, redis_url: str, rclone_s3: S3Server) -> Iterator[Balanced]:
    with _balanced(tmp_path, redis_url, rclone_s3) as made:
        yield made


@pytest.fixture
def balanced_on_each_bus(tmp_path: Path, bus_url: str, rclone_s3: S3Server) -> Iterator[Balanced]:
    """The same, once on Redis and once on NATS."""
    with _balanced(tmp_path, bus_url, rclone_s3) as made:
        yield made


@contextlib.contextmanager
def _balanced(tmp_path: Path, bus_url: str, rclone_s3: S3Server) -> Iterator[Balanced]:
    env = {
        "SYNCOXIDE_BUS": bus_url,
        "SYNCOXIDE_BLOBS": f"s3://{rclone_s3.bucket}/{tmp_path.name}?endpoint={rclone_s3.endpoint}",
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "SYNCOXIDE_TRUSTED_PROXIES": "127.0.0.1",
    }
    servers: list[LiveServer] = []
    try:
        for _ in range(INSTANCES):
            servers.append(start_live_server(tmp_path / "data", env=env))
        front = free_port()
        config = tmp_path / "haproxy.cfg"
        ports = [int(s.url.rsplit(":", 1)[1]) for s in servers]
        config.write_text(haproxy_config(front, ports))
        haproxy = require_binary("haproxy", "apt-get install -y haproxy")
        with running([haproxy, "-db", "-f", str(config)], front, tmp_path / "haproxy.log"):
            yield Balanced(f"http://127.0.0.1:{front}", servers)
    finally:
        for server in servers:
            server.stop()


def test_requests_take_turns_and_uploads_downloads_and_events_hold(
    balanced_on_each_bus: Balanced, tmp_path: Path
) -> None:
    front = balanced_on_each_bus.url
    seen = {httpx2.get(f"{front}/healthz", timeout=10).json()["instance"] for _ in range(6)}
    assert len(seen) == INSTANCES, "round robin did not reach every instance"
    token = _token(tmp_path / "data", tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    api = httpx2.Client(base_url=f"{front}/api/v1", headers=auth, timeout=60)
    live = connect(front.replace("http", "ws", 1) + "/api/v1/events/live", additional_headers=auth)
    with live:
        while json.loads(live.recv(timeout=10))["type"] != "caught_up":
            pass
        data = bytes(range(256)) * 4096 * 3  # 3 MiB in three PATCHes, one per instance
        made = api.post(
            "/storage/uploads/",
            headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": _named("t.bin")},
        )
        assert made.status_code == 201, made.text
        where = urljoin(front, made.headers["location"])  # the API base would double
        third = len(data) // 3
        for offset in range(0, len(data), third):
            headers = {**TUS, "Content-Type": "application/offset+octet-stream"}
            headers["Upload-Offset"] = str(offset)
            patched = api.patch(where, content=data[offset : offset + third], headers=headers)
            assert patched.status_code == 204, patched.text
        upload_id = where.rstrip("/").rsplit("/", 1)[1]
        done = api.post("/storage/commit", json={"upload": upload_id, "path": "t.bin"})
        assert done.status_code == 201, done.text
        assert done.json()["sha1"] == hashlib.sha1(data).hexdigest()
        # A download cut after 1 MiB resumes with Range on the next instance, and the next.
        got = b""
        while len(got) < len(data):
            end = min(len(got) + (1 << 20), len(data)) - 1
            wanted = {"Range": f"bytes={len(got)}-{end}"}
            part = api.get("/storage/content", params={"path": "t.bin"}, headers=wanted)
            assert part.status_code == 206
            got += part.content
        assert got == data
        # An event raised by whichever instance takes the next request reaches the socket.
        assert api.post("/tokens", json={"label": "through the balancer"}).status_code == 201
        heard = json.loads(live.recv(timeout=10))
        assert heard["kind"] == "token.created"
        assert heard["payload"]["label"] == "through the balancer"


def test_the_reference_config_is_valid() -> None:
    haproxy = require_binary("haproxy", "apt-get install -y haproxy")
    checked = subprocess.run(
        [haproxy, "-c", "-f", str(PROJECT_ROOT / "deploy" / "haproxy.cfg")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


UPLOADS = 50
CHUNK = 64 * 1024
CHUNKS = 8


def test_uploads_resume_through_the_others_when_an_instance_is_killed(
    balanced: Balanced, tmp_path: Path
) -> None:
    """50 tus uploads at once; one instance is SIGKILLed while they run; every client picks
    up where the server says it is (HEAD) through the instances left, and nothing is lost."""
    token = _token(tmp_path / "data", tmp_path)
    halfway = asyncio.Event()
    bodies = [
        hashlib.sha256(str(n).encode()).digest() * (CHUNK * CHUNKS // 32) for n in range(UPLOADS)
    ]

    async def kill_one_halfway() -> None:
        await halfway.wait()
        balanced.instances[1].process.kill()  # SIGKILL, requests in flight

    async def main() -> list[int]:
        auth = {"Authorization": f"Bearer {token}"}
        limits = httpx2.Limits(max_connections=UPLOADS)
        base = f"{balanced.url}/api/v1"
        async with httpx2.AsyncClient(
            base_url=base, headers=auth, limits=limits, timeout=30
        ) as api:

            async def one(n: int) -> int:
                return await _upload(api, balanced.url, f"u{n}.bin", bodies[n], halfway)

            killer = asyncio.create_task(kill_one_halfway())
            resumed = await asyncio.gather(*(one(n) for n in range(UPLOADS)))
            killer.cancel()
            return resumed

    resumed = asyncio.run(main())
    assert balanced.instances[1].process.poll() is not None, "the instance was not killed"
    api = httpx2.Client(
        base_url=f"{balanced.url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    for n in range(UPLOADS):
        got = api.get("/storage/content", params={"path": f"u{n}.bin"})
        assert got.status_code == 200 and got.content == bodies[n], f"upload {n} differs"
    # The kill hit PATCHes in flight (22 of 400 in one run): the resume path was taken.
    assert sum(resumed) > 0, "no upload had to resume: the kill came too late to test it"


_patched = [0]


async def _upload(
    api: httpx2.AsyncClient, front: str, path: str, body: bytes, halfway: asyncio.Event
) -> int:
    """A tus client that resumes: after a failed PATCH it asks the offset (HEAD) and goes on
    from there, through whichever instance answers. Returns how many times it resumed."""
    headers = {**TUS, "Upload-Length": str(len(body)), "Upload-Metadata": _named(path)}
    made = await _retrying(lambda: api.post("/storage/uploads/", headers=headers))
    where = urljoin(front, made.headers["location"])
    offset, resumed = 0, 0
    while offset < len(body):
        patch = {
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(offset),
        }
        try:
            reply = await api.patch(where, content=body[offset : offset + CHUNK], headers=patch)
            if reply.status_code == 204:
                offset = int(reply.headers["upload-offset"])
                _patched[0] += 1
                if _patched[0] == UPLOADS * CHUNKS // 4:
                    halfway.set()  # a quarter of all PATCHes through: kill one instance
                continue
        except httpx2.HTTPError:
            pass
        resumed += 1
        status = await _retrying(lambda: api.head(where, headers=TUS))
        offset = int(status.headers["upload-offset"])
    upload_id = where.rstrip("/").rsplit("/", 1)[1]
    committed = await _retrying(
        lambda: api.post("/storage/commit", json={"upload": upload_id, "path": path})
    )
    assert committed.status_code == 201, committed.text
    return resumed


async def _retrying(call: Any) -> httpx2.Response:
    """The call, again after a short pause while the balancer still tries the dead one."""
    for _ in range(50):
        try:
            reply: httpx2.Response = await call()
        except httpx2.HTTPError:
            await asyncio.sleep(0.2)
            continue
        if reply.status_code < 500:
            return reply
        await asyncio.sleep(0.2)
    raise AssertionError("no instance answered in 10 s")
