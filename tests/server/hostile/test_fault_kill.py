"""Fault suite: the server killed outright (SIGKILL, a real process) in the middle of work.

No graceful shutdown runs, so what survives is only what the code made durable before the
kill. After a restart on the same data directory and port, nothing committed may be lost,
nothing half-written may be served, and the client carries on from where it was:

- a tus upload cut mid-PATCH resumes from the offset the server reports and ends with the
  exact bytes (SHA-256 compared), the chunk committed before the kill kept;
- a sync rule killed mid-run is reported interrupted and resumed by the restarted server,
  which finishes the copy with every file exact and no stray partial file.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.conftest import account_token, start_live_server
from tests.servers import DAV_PASSWORD, DAV_USER, WebDavServer

pytestmark = pytest.mark.live  # starts real servers

TUS = {"Tus-Resumable": "1.0.0"}
MiB = 1 << 20


class Killable:
    """A live server that can be SIGKILLed and started again in its place."""

    def __init__(self, data: Path, env: dict[str, str] | None = None) -> None:
        self.data, self.env = data, env
        self.server = start_live_server(data, env=env)
        self.port = int(self.server.url.rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return self.server.url

    def kill(self) -> None:
        self.server.process.kill()  # SIGKILL: no shutdown handler, no flush, no goodbye
        self.server.process.wait(timeout=10)
        self.server.process.communicate()

    def restart(self) -> None:
        self.server = start_live_server(self.data, self.port, env=self.env)


@pytest.fixture
def killable(tmp_path: Path) -> Iterator[Killable]:
    server = Killable(tmp_path / "data", env={"SYNCOXIDE_CONNECTIONS_ALLOW": "127.0.0.0/8"})
    yield server
    server.server.stop()


def slow_body(data: bytes, sent: list[int], piece: int = 128 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), piece):
        chunk = data[start : start + piece]
        sent.append(len(chunk))
        yield chunk
        time.sleep(0.05)


def patch(url: str, offset: int, body: bytes | Iterator[bytes], auth: dict[str, str]) -> int:
    headers = {**TUS, **auth, "Upload-Offset": str(offset)}
    headers["Content-Type"] = "application/offset+octet-stream"
    try:
        return httpx2.patch(url, content=body, headers=headers, timeout=30).status_code
    except httpx2.TransportError:
        return 0  # the server died under us


def patch_when_free(url: str, offset: int, body: bytes, auth: dict[str, str]) -> int:
    """``patch`` as a tus client sends it after a crash: on S3 blobs the killed server still
    holds the upload's lease (docs/scaling.md), answered 409 with Retry-After until it lapses."""
    headers = {**TUS, **auth, "Upload-Offset": str(offset)}
    headers["Content-Type"] = "application/offset+octet-stream"
    deadline = time.monotonic() + 90
    while True:
        answer = httpx2.patch(url, content=body, headers=headers, timeout=30)
        wait = answer.headers.get("Retry-After")
        if answer.status_code != 409 or wait is None or time.monotonic() > deadline:
            return answer.status_code
        time.sleep(float(wait))


def test_a_tus_upload_killed_mid_patch_resumes_and_keeps_every_committed_byte(
    killable: Killable, tmp_path: Path
) -> None:
    auth = {"Authorization": f"Bearer {account_token(killable.server, 'uploader', tmp_path)}"}
    data = os.urandom(6 * MiB)
    share = httpx2.post(f"{killable.url}/api/v1/shares", json={"title": "k"}, headers=auth)
    meta = f"share {b64(share.json()['id'])},path {b64('big.bin')}"
    made = httpx2.post(
        f"{killable.url}/api/v1/uploads/",
        headers={**TUS, **auth, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert made.status_code == 201, made.text
    upload = made.headers["location"]
    upload = upload if upload.startswith("http") else killable.url + upload
    assert patch(upload, 0, data[: 2 * MiB], auth) == 204  # committed before the kill
    sent: list[int] = []
    cut = threading.Thread(
        target=patch, args=(upload, 2 * MiB, slow_body(data[2 * MiB :], sent), auth)
    )
    cut.start()
    while sum(sent) < MiB:
        time.sleep(0.01)
    killable.kill()
    cut.join(timeout=30)

    killable.restart()
    head = httpx2.head(upload, headers={**TUS, **auth})
    assert head.status_code == 200, head.text
    offset = int(head.headers["Upload-Offset"])
    assert 2 * MiB <= offset < len(data), offset  # the first chunk kept, the cut one not done
    assert patch_when_free(upload, offset, data[offset:], auth) == 204
    described = httpx2.get(f"{killable.url}/api/v1/shares/{share.json()['id']}", headers=auth)
    (listed,) = described.json()["files"]
    assert listed["size"] == len(data)
    served = httpx2.get(killable.url + listed["download_url"].split(killable.url)[-1])
    assert hashlib.sha256(served.content).digest() == hashlib.sha256(data).digest()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_a_rule_killed_mid_run_is_reported_and_the_next_run_finishes_exactly(
    killable: Killable, tmp_path: Path, wsgidav_server: WebDavServer
) -> None:
    files = {f"photos/{n:03d}.jpg": os.urandom(48 * 1024 + n) for n in range(300)}
    for name, body in files.items():
        (wsgidav_server.root / name).parent.mkdir(parents=True, exist_ok=True)
        (wsgidav_server.root / name).write_bytes(body)
    auth = {"Authorization": f"Bearer {account_token(killable.server, 'syncer', tmp_path)}"}
    client = httpx2.Client(base_url=killable.url, headers=auth, timeout=30)
    dav = {"url": wsgidav_server.url, "username": DAV_USER, "password": DAV_PASSWORD}
    source = client.post(
        "/api/v1/connections", json={"name": "nas", "kind": "webdav", "options": dav}
    )
    home = client.post("/api/v1/connections", json={"name": "home", "kind": "home", "options": {}})
    assert source.status_code == home.status_code == 201, (source.text, home.text)
    rule = client.post(
        "/api/v1/rules",
        json={
            "source_id": source.json()["id"],
            "source_path": "photos",
            "dest_id": home.json()["id"],
            "dest_path": "nas-photos",
            "mode": "copy",
            "interval_seconds": 86400,
        },
    ).json()  # a new rule runs at once
    deadline = time.monotonic() + 60
    while len(stored(client)) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert 30 <= len(stored(client)) < len(files), "the run was not caught in the middle"
    killable.kill()

    killable.restart()
    client = httpx2.Client(base_url=killable.url, headers=auth, timeout=30)
    finished = wait_for_rule(client, rule["id"])  # the server resumes it by itself
    statuses = [run["status"] for run in finished["runs"]]
    assert statuses[:2] == ["ok", "interrupted"], finished["runs"][:2]
    want = {f"nas-{name}": hashlib.sha1(body).hexdigest() for name, body in files.items()}
    assert stored(client) == want  # every file exact, nothing half-written or left over


def stored(client: httpx2.Client) -> dict[str, str]:
    listed = client.get("/api/v1/storage", params={"path": "nas-photos", "recursive": "true"})
    if listed.status_code == 404:
        return {}
    entries: list[dict[str, Any]] = listed.json()["entries"]
    return {
        e["path"]: e["sha1"]
        for e in entries
        if e["kind"] == "file" and not e["path"].split("/")[-1].startswith(".")
    }


def wait_for_rule(client: httpx2.Client, rule_id: int) -> dict[str, Any]:
    """The rule once it is idle again, its newest run finished."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rule: dict[str, Any] = client.get(f"/api/v1/rules/{rule_id}").json()
        if rule["status"] != "running" and rule["runs"][0]["finished_at"] is not None:
            return rule
        time.sleep(0.2)
    raise AssertionError(f"rule {rule_id} did not finish: {rule}")
