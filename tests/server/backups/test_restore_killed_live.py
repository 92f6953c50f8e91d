"""A real ``syncoxide serve`` SIGKILLed in the middle of a restore into WebDAV (wsgidav):
restarted on the same data, it shows the restore interrupted with what was kept, and the
restore started again finishes with every file exact (SHA-256 compared on the WebDAV side).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import httpx2
import pytest

from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository
from tests.conftest import account_token, start_live_server
from tests.servers import DAV_PASSWORD, DAV_USER, WebDavServer

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed"),
]
PASSPHRASE = "killed restore passphrase"
ARCHIVE = "many-2026-12-06T10:00:00"


def _tree(root: Path) -> dict[str, bytes]:
    chance = random.Random(7)
    tree = {f"many/d{n % 10}/f{n}.bin": chance.randbytes(64 * 1024) for n in range(400)}
    for relative, content in tree.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    return tree


def _until(api: httpx2.Client, restore_id: int, done: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        restore = api.get(f"/api/v1/backups/restores/{restore_id}").json()
        if done(restore):
            return restore
        time.sleep(0.05)
    raise AssertionError(f"restore {restore_id} never got there: {restore}")


def test_a_restore_cut_by_sigkill_is_interrupted_and_finishes_when_started_again(
    tmp_path: Path, wsgidav_server: WebDavServer
) -> None:
    env = {"SYNCOXIDE_CONNECTIONS_ALLOW": "127.0.0.0/8"}
    server = start_live_server(tmp_path / "data", env=env)
    headers = {"Authorization": f"Bearer {account_token(server, 'ann', tmp_path)}"}
    api = httpx2.Client(base_url=server.url, headers=headers, timeout=60)
    try:
        repository = api.post("/api/v1/backups/repositories",
                              json={"name": "many", "passphrase": PASSPHRASE}).json()  # fmt: skip
        area = Path(api.get("/api/v1/backups/hosting").json()["area"])
        tree = _tree(tmp_path / "laptop")
        laptop = BorgRepository(str(area / "many"), BorgSettings(PASSPHRASE, tmp_path / "lb"))
        asyncio.run(laptop.create(ARCHIVE, ["many"], cwd=tmp_path / "laptop"))
        dav = {"name": "nas", "kind": "webdav", "options": {
            "url": wsgidav_server.url, "username": DAV_USER, "password": DAV_PASSWORD}}  # fmt: skip
        nas = api.post("/api/v1/connections", json=dav).json()
        dest = f"back-{uuid.uuid4().hex[:6]}"
        started = api.post(
            f"/api/v1/backups/repositories/{repository['id']}/archives/{ARCHIVE}/restore",
            json={"path": "many", "connection_id": nas["id"], "dest_path": dest},
        ).json()
        midway = _until(api, started["id"], lambda r: r["files"] >= 1 or r["status"] != "running")
        assert midway["status"] == "running", "the restore ended before the kill: make it bigger"
        assert midway["files_total"] == 400 and midway["bytes_total"] == 400 * 64 * 1024
        server.process.kill()  # SIGKILL: no shutdown handler runs
        server.process.wait(timeout=10)
        server.process.communicate()

        server = start_live_server(tmp_path / "data", int(server.url.rsplit(":", 1)[1]), env=env)
        # Marked at the start on the embedded SQLite; on a shared database (the suite on
        # PostgreSQL) once the killed instance's lease lapses, as another instance would.
        cut = _until(api, started["id"], lambda r: r["status"] != "running")
        assert cut["status"] == "interrupted" and "Start it again" in cut["message"], cut
        assert 1 <= cut["files"] < 400
        again = api.post(f"/api/v1/backups/restores/{started['id']}/restart")
        assert again.status_code == 202, again.text
        finished = _until(api, again.json()["id"], lambda r: r["status"] != "running")
        assert finished["status"] == "ok" and finished["files"] == 400, finished
        written = wsgidav_server.root / dest
        got = {str(p.relative_to(written)): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in written.rglob("*") if p.is_file()}  # fmt: skip
        assert got == {p: hashlib.sha256(c).hexdigest() for p, c in tree.items()}
    finally:
        api.close()
        server.stop()
