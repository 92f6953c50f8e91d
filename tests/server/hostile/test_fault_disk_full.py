"""Fault suite: the server's disk fills up under an upload.

The data directory is a small tmpfs the test mounts (as root; skipped with the reason where
mounting is not permitted). An upload that does not fit must end in a clear 507 that says the
disk is full, keep every file stored before, free what it had written, and leave the server
answering: the next upload that fits is taken.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import LiveServer, account_token, start_live_server
from tests.server.shared_parts import local_blobs_only

pytestmark = pytest.mark.live  # starts real servers

TUS = {"Tus-Resumable": "1.0.0"}
MiB = 1 << 20
DISK = 16 * MiB


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


@pytest.fixture
def server_on_small_disk(small_disk: Path) -> Iterator[LiveServer]:
    server = start_live_server(small_disk / "data")
    yield server
    server.stop()


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


@local_blobs_only("it fills the data folder's disk; on S3 the blobs and uploads are elsewhere")
def test_a_full_disk_answers_507_and_keeps_what_was_stored(
    server_on_small_disk: LiveServer, small_disk: Path, tmp_path: Path
) -> None:
    server = server_on_small_disk
    client = httpx2.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {account_token(server, 'filler', tmp_path)}"},
        timeout=60,
    )
    kept = os.urandom(2 * MiB)
    assert put(client, "kept.bin", kept).status_code == 200
    before = free_bytes(small_disk)

    too_big = put(client, "too-big.bin", os.urandom(DISK))
    assert too_big.status_code == 507, too_big.text
    assert "disk is full" in too_big.json()["message"]

    share = client.post("/api/v1/shares", json={"title": "big"}).json()
    tus = tus_upload(client, share["id"], os.urandom(DISK))
    assert tus.status_code == 507, tus.text
    assert "disk is full" in tus.text

    assert free_bytes(small_disk) >= before - 256 * 1024, "a refused upload still holds disk"
    got = client.get("/api/v1/storage/content", params={"path": "kept.bin"})
    assert got.status_code == 200 and hashlib.sha256(got.content).digest() == sha256(kept)
    fits = os.urandom(MiB)
    assert put(client, "fits.bin", fits).status_code == 200  # the server carries on
    _, output = server.stop()
    assert "Traceback" not in output, output[-3000:]


def put(client: httpx2.Client, path: str, data: bytes) -> httpx2.Response:
    return client.put("/api/v1/storage/content", params={"path": path}, content=data)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def tus_upload(client: httpx2.Client, share_id: str, data: bytes) -> httpx2.Response:
    meta = ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in (("share", share_id), ("path", "big.bin"))
    )
    made = client.post(
        "/api/v1/uploads/",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert made.status_code == 201, made.text
    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    return client.patch(made.headers["location"], content=data, headers=headers)
