"""Fault suite: the server SIGKILLed while a share is being downloaded, then started again.

A download counts once, when it starts; its client gets a signed ticket that makes resuming
free (``RESUME_GRACE_SECONDS``). Killed mid-stream and restarted on the same data folder, the
server must honour that ticket (its signing key is on disk, not in memory), answer the rest
of the file with a 206 from where the client stopped, keep the download counted exactly once
(a one-download share stays resumable for that client and used up for everyone else), and
the bytes put together must be the file's, SHA-256 compared.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx2
import pytest

from tests.conftest import account_token
from tests.server.hostile.test_fault_kill import TUS, Killable, b64, killable, patch

pytestmark = pytest.mark.live  # starts real servers

__all__ = ["killable"]  # the fixture, shared with the other kill tests

MiB = 1 << 20


def shared_file(killable: Killable, tmp_path: Path, data: bytes) -> tuple[str, dict[str, str]]:
    """A one-download share holding ``data``; its id and the owner's auth header."""
    auth = {"Authorization": f"Bearer {account_token(killable.server, 'owner', tmp_path)}"}
    share = httpx2.post(
        f"{killable.url}/api/v1/shares", json={"title": "k", "max_downloads": 1}, headers=auth
    ).json()
    meta = f"share {b64(share['id'])},path {b64('big.bin')}"
    made = httpx2.post(
        f"{killable.url}/api/v1/uploads/",
        headers={**TUS, **auth, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert made.status_code == 201, made.text
    upload = made.headers["location"]
    upload = upload if upload.startswith("http") else killable.url + upload
    assert patch(upload, 0, data, auth) == 204
    return share["id"], auth


def test_a_share_download_killed_mid_stream_resumes_with_its_ticket_and_counts_once(
    killable: Killable, tmp_path: Path
) -> None:
    data = os.urandom(48 * MiB)  # far more than the socket buffers hold at the kill
    share_id, auth = shared_file(killable, tmp_path, data)
    listed = httpx2.get(f"{killable.url}/api/v1/shares/{share_id}", headers=auth).json()
    path = listed["files"][0]["download_url"].split(killable.url)[-1]
    visitor = httpx2.Client(base_url=killable.url, timeout=30)
    received = bytearray()
    try:
        with visitor.stream("GET", path) as answer:
            assert answer.status_code == 200
            for chunk in answer.iter_bytes():
                received += chunk
                if len(received) >= MiB and killable.server.process.poll() is None:
                    killable.kill()  # mid-stream: what was already sent is all the client has
    except httpx2.TransportError:
        pass
    assert MiB <= len(received) < len(data), len(received)
    assert visitor.cookies.get(f"sxo_dl_{share_id}"), "no resume ticket was handed out"

    killable.restart()
    rest = visitor.get(path, headers={"Range": f"bytes={len(received)}-"})
    assert rest.status_code == 206, rest.text
    whole = bytes(received) + rest.content
    assert hashlib.sha256(whole).digest() == hashlib.sha256(data).digest()
    owner_view = httpx2.get(f"{killable.url}/api/v1/shares/{share_id}", headers=auth).json()
    assert owner_view["downloads"] == 1  # counted at the start, once, and not again
    stranger = httpx2.get(f"{killable.url}{path}", timeout=30)
    assert stranger.status_code == 410  # used up for anyone without the ticket
