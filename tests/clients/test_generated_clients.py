"""The generated API clients, used as their READMEs show, against a real ``syncoxide serve``."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, account_token

CLIENTS = PROJECT_ROOT / "clients"
TSC = PROJECT_ROOT / "node_modules/.bin/tsc"


@pytest.fixture(scope="module")
def token(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    return account_token(live_server, "clients", tmp_path_factory.mktemp("clients"))


def _stored(server: LiveServer, token: str, path: str) -> bytes:
    answer = httpx2.get(
        f"{server.url}/api/v1/storage/content",
        params={"path": path},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.content


def _payload(tmp_path: Path, size: int) -> Path:
    # Larger than one PATCH part, so the examples' resume-from-offset loop runs more than once.
    local = tmp_path / "payload.bin"
    local.write_bytes(os.urandom(size))
    return local


def test_python_client_signs_in_lists_shares_and_uploads(
    live_server: LiveServer, token: str, tmp_path: Path
) -> None:
    local = _payload(tmp_path, (8 << 20) + 12345)
    env = {**os.environ, "PYTHONPATH": str(CLIENTS / "python/syncoxide-api-client")}
    example = CLIENTS / "python/example.py"
    done = subprocess.run(
        [sys.executable, example, live_server.url, token, local, "from-python/payload.bin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "signed in as clients" in done.stdout
    assert "share links" in done.stdout
    assert _stored(live_server, token, "from-python/payload.bin") == local.read_bytes()


def test_python_client_reports_a_refused_token(live_server: LiveServer, tmp_path: Path) -> None:
    local = _payload(tmp_path, 10)
    env = {**os.environ, "PYTHONPATH": str(CLIENTS / "python/syncoxide-api-client")}
    done = subprocess.run(
        [sys.executable, CLIENTS / "python/example.py", live_server.url, "sxo_wrong", local, "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "signed in as" not in done.stdout


@pytest.mark.skipif(not TSC.exists(), reason="node_modules is missing (npm ci)")
def test_typescript_client_signs_in_lists_shares_and_uploads(
    live_server: LiveServer, token: str, tmp_path: Path
) -> None:
    built = tmp_path / "dist"
    compiled = subprocess.run(
        [TSC, "-p", CLIENTS / "typescript", "--outDir", built],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    # The package's "type": "module" makes Node read the compiled files as ES modules.
    (built / "package.json").write_text('{"type": "module"}\n')
    local = _payload(tmp_path, (8 << 20) + 777)
    done = subprocess.run(
        ["node", built / "example.js", live_server.url, token, local, "from-node/payload.bin"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "signed in as clients" in done.stdout
    expected = hashlib.sha256(local.read_bytes()).hexdigest()
    assert f"sha256 {expected}" in done.stdout
    assert _stored(live_server, token, "from-node/payload.bin") == local.read_bytes()
