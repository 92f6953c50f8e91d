"""`syncoxide sync` into your server storage, killed (SIGKILL) in the middle of a tus upload,
then run again: the bytes the server holds are not sent a second time."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import PROJECT_ROOT
from tests.native.providers.counting_proxy import counting_proxy
from tests.native.providers.server_processes import kill_when
from tests.native.providers.server_storage.live_syncoxide import LiveAccounts, live_accounts
from tests.native.providers.test_remotes import cli

pytestmark = pytest.mark.live

PART = 8 * 1024 * 1024  # the provider's tus part size
DATA = hashlib.sha256(b"resume").digest() * (3 * PART // 32 + 333)  # 3 parts + a tail


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAccounts]:
    with live_accounts(tmp_path_factory.mktemp("resume") / "data", "erin") as accounts:
        yield accounts


def _open_upload(state: Path) -> str | None:
    for ledger in state.glob("pairs/*/remote-*/server-uploads.json"):
        for upload in json.loads(ledger.read_text())["uploads"].values():
            return str(upload["upload_id"])
    return None


def _held(live: LiveAccounts, upload: str) -> int:
    headers = {"Authorization": f"Bearer {live.tokens['erin']}", "Tus-Resumable": "1.0.0"}
    reply = httpx2.head(live.url + upload, headers=headers, timeout=10)
    return int(reply.headers.get("upload-offset", "0")) if reply.status_code == 200 else 0


def _kill_after_two_parts(sync: subprocess.Popen[bytes], live: LiveAccounts, state: Path) -> str:
    def two_parts_held() -> bool:
        upload = _open_upload(state)
        return upload is not None and _held(live, upload) >= 2 * PART

    kill_when(sync, two_parts_held, "an upload of two parts")
    upload = _open_upload(state)
    assert upload is not None
    return upload


def test_a_killed_sync_resumes_its_upload(
    live: LiveAccounts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, config, source = tmp_path / "state", tmp_path / "config", tmp_path / "src"
    source.mkdir()
    (source / "big.bin").write_bytes(DATA)
    monkeypatch.setenv("SYNCOXIDE_STATE_DIR", str(state))
    upstream = int(live.url.rsplit(":", 1)[1])
    with counting_proxy(upstream, bytes_per_second=4 * 1024 * 1024) as proxy:
        url, token = f"http://127.0.0.1:{proxy.port}", live.tokens["erin"]
        added = cli(config, "remote", "add", "home", "server", f"url={url}", f"token={token}")
        assert added.returncode == 0, added.stderr
        env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(config)}
        command = [sys.executable, "-m", "syncoxide.cli.main", "sync", str(source), "home:kill"]
        sync = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        upload = _kill_after_two_parts(sync, live, state)
        proxy.bytes_per_second = None
        proxy.wait_until_idle()
        held = _held(live, upload)
        proxy.sent = 0
        again = cli(config, "sync", str(source), "home:kill")
        sent = proxy.sent
    assert again.returncode == 0, again.stderr
    assert held >= 2 * PART and held % PART == 0, "a cut PATCH keeps nothing of itself"
    assert len(DATA) - held <= sent < len(DATA) - held + 1024 * 1024
    reply = httpx2.get(
        f"{live.url}/api/v1/storage/content",
        params={"path": "kill/big.bin"},
        headers={"Authorization": f"Bearer {live.tokens['erin']}"},
        timeout=60,
    )
    assert reply.content == DATA
    assert _open_upload(state) is None
