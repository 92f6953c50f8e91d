"""Finding 4: names chosen by strangers cannot stop ``syncoxide request pull``.

On the old CLI, uploads named ``docs`` and ``docs/real.pdf`` (a file where a folder must be), or
a path longer in total than the file system takes, ended the pull with a traceback and the
files after them were never pulled. Now every file is pulled, clashes renamed and reported.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx2 as httpx

from tests.conftest import LiveServer, account_token, run_cli

TUS = {"Tus-Resumable": "1.0.0"}
# 15 folders of 150 two-byte characters: 4.5 KB in total, each part under 255 bytes.
DEEP = "/".join(f"{n:02d}" + "é" * 150 for n in range(15)) + "/deep.txt"
ARRIVALS = {
    "docs": b"a file named like a folder",
    "docs/real.pdf": b"%PDF- inside the folder",
    DEEP: b"deep down",
    "zz after.txt": b"pulled after the odd ones",
}


def _drop(server: str, link_id: str, path: str, data: bytes) -> None:
    meta = f"path {base64.b64encode(path.encode()).decode()}"
    headers = {**TUS, "Syncoxide-Link": link_id}
    made = httpx.post(
        f"{server}/api/v1/drop/",
        headers={**headers, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert made.status_code == 201, made.text
    sent = httpx.patch(
        server + made.headers["location"],
        content=data,
        headers={
            **headers,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert sent.status_code == 204, sent.text


def test_pull_finishes_every_file_and_reports_renames(
    live_server: LiveServer, tmp_path: Path
) -> None:
    token = account_token(live_server, "puller", tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    made = httpx.post(f"{live_server.url}/api/v1/requests", json={"title": "odd"}, headers=auth)
    link_id = made.json()["id"]
    for path, data in ARRIVALS.items():
        _drop(live_server.url, link_id, path, data)
    target = tmp_path / "pulled"
    server = ("--server", live_server.url, "--token", token)
    done = run_cli("request", "pull", *server, "--", link_id, target)
    assert done.returncode == 0, done.stderr
    assert (target / "docs").read_bytes() == ARRIVALS["docs"]
    assert (target / "docs (1)/real.pdf").read_bytes() == ARRIVALS["docs/real.pdf"]
    assert "pulled docs/real.pdf as docs (1)/real.pdf (name taken)" in done.stdout
    (deep,) = list(target.rglob("deep.txt"))
    assert deep.read_bytes() == b"deep down"
    assert len(str(deep).encode()) < 4096
    assert (target / "zz after.txt").read_bytes() == ARRIVALS["zz after.txt"]
    assert not list(target.rglob(".*.partial"))


def test_a_second_pull_keeps_the_first_and_renames_again(
    live_server: LiveServer, tmp_path: Path
) -> None:
    token = account_token(live_server, "repuller", tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    made = httpx.post(f"{live_server.url}/api/v1/requests", json={"title": "x"}, headers=auth)
    link_id = made.json()["id"]
    _drop(live_server.url, link_id, "a/b.txt", b"new")
    target = tmp_path / "pulled"
    target.mkdir()
    (target / "a").write_bytes(b"mine, kept")
    server = ("--server", live_server.url, "--token", token)
    done = run_cli("request", "pull", *server, "--", link_id, target)
    assert done.returncode == 0, done.stderr
    assert (target / "a").read_bytes() == b"mine, kept"
    assert (target / "a (1)/b.txt").read_bytes() == b"new"
