"""The CLI's encrypted request links through a live server: its key stays local (0600), a
tus client drops sealed files, ``request pull`` opens them; wrong keys write nothing."""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest
from tusclient.client import TusClient

from tests.conftest import PROJECT_ROOT, LiveServer, cli_env
from tests.server.links.test_request_sealed import sealed_file

CLI = [sys.executable, "-m", "syncoxide.cli.main"]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        stdin=subprocess.DEVNULL,  # no terminal: a missing passphrase must be an error
        text=True,
        timeout=120,
        env={**cli_env(*args), **env},
    )


@pytest.fixture(scope="module")
def token(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    password = tmp_path_factory.mktemp("sealer") / "pw"
    password.write_text("sealer password\n")
    data = str(live_server.data_dir)
    env: dict[str, str] = {}
    assert (
        _cli(
            "user", "add", "sealer", "--password-file", str(password), "--data-dir", data, env=env
        ).returncode
        == 0
    )
    made = _cli("token", "create", "--user", "sealer", "--data-dir", data, env=env)
    return made.stdout.strip()


def _drop(live_server: LiveServer, link_id: str, public: bytes, tree: dict[str, bytes]) -> None:
    client = TusClient(f"{live_server.url}/api/v1/drop/", headers={"Syncoxide-Link": link_id})
    for path, data in tree.items():
        sealed = sealed_file(path, data, public)
        name = f"{secrets.token_hex(16)}.sxor"
        client.uploader(
            file_stream=io.BytesIO(sealed), chunk_size=50_000, metadata={"path": name}
        ).upload()


def test_encrypted_request_round_trip_and_wrong_keys(
    live_server: LiveServer, token: str, tmp_path: Path
) -> None:
    env = {"SYNCOXIDE_CONFIG_DIR": str(tmp_path / "config"), "SYNCOXIDE_PASSWORD": ""}
    server = ["--server", live_server.url, "--token", token]
    made = _cli("request", "create", "--title", "Sealed", "--encrypt", *server, env=env)
    assert made.returncode == 0, made.stderr
    link_id = made.stdout.strip().rsplit("/", 1)[-1]
    key_file = tmp_path / "config" / "request-keys" / f"{link_id}.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    saved = json.loads(key_file.read_text())
    described = httpx2.get(f"{live_server.url}/api/v1/requests/{link_id}", timeout=10).json()
    assert described["public_key"] == saved["public_key"]
    assert saved["private_key"] not in json.dumps(described)
    tree = {"Docs/a.txt": b"alpha" * 1000, "Docs/sub/b.bin": os.urandom(300_000), "c": b""}
    _drop(live_server, link_id, base64.b64decode(saved["public_key"]), tree)

    wrong = tmp_path / "wrong.json"
    wrong.write_text(key_file.read_text().replace(saved["private_key"], saved["public_key"]))
    target = tmp_path / "pulled"
    refused = _cli("request", "pull", link_id, str(target), "--key", str(wrong), *server, env=env)
    assert refused.returncode != 0 and "do not match" in refused.stderr
    other = tmp_path / "other-config"
    stranger = {**env, "SYNCOXIDE_CONFIG_DIR": str(other)}
    _cli("request", "create", "--title", "Other", "--encrypt", *server, env=stranger)
    other_key = next((other / "request-keys").iterdir())
    refused = _cli(
        "request", "pull", link_id, str(target), "--key", str(other_key), *server, env=env
    )
    assert refused.returncode != 0 and "different key" in refused.stderr
    assert not target.exists()

    # A stranger's forgery (the right first bytes, then junk) is skipped; the rest arrives.
    client = TusClient(f"{live_server.url}/api/v1/drop/", headers={"Syncoxide-Link": link_id})
    junk = {"path": f"{secrets.token_hex(16)}.sxor"}
    forged = io.BytesIO(b"SYNCOXR\x01" + os.urandom(500))
    client.uploader(file_stream=forged, metadata=junk).upload()
    pulled = _cli("request", "pull", link_id, str(target), *server, env=env)
    assert pulled.returncode == 1, pulled.stderr
    assert "skipped" in pulled.stderr
    assert {
        str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()
    } == tree


def test_a_passphrase_protected_key_needs_the_right_passphrase(
    live_server: LiveServer, token: str, tmp_path: Path
) -> None:
    env = {"SYNCOXIDE_CONFIG_DIR": str(tmp_path / "config"), "SYNCOXIDE_PASSWORD": "right phrase"}
    server = ["--server", live_server.url, "--token", token]
    made = _cli("request", "create", "--title", "Locked", "--encrypt", "--qr", *server, env=env)
    assert made.returncode == 0, made.stderr
    *drawing, link = made.stdout.strip().splitlines()
    assert link.startswith(f"{live_server.url}/r/") and "▀" in "".join(drawing)
    link_id = link.rsplit("/", 1)[-1]
    saved = json.loads((tmp_path / "config" / "request-keys" / f"{link_id}.json").read_text())
    assert "private_key" not in saved and "vault" in saved
    _drop(live_server, link_id, base64.b64decode(saved["public_key"]), {"x.txt": b"locked"})
    target = tmp_path / "pulled"
    missing = _cli(
        "request", "pull", link_id, str(target), *server, env={**env, "SYNCOXIDE_PASSWORD": ""}
    )
    assert missing.returncode != 0 and "--passphrase-file" in missing.stderr
    wrong = {**env, "SYNCOXIDE_PASSWORD": "wrong phrase"}
    refused = _cli("request", "pull", link_id, str(target), *server, env=wrong)
    assert refused.returncode != 0 and "password is wrong" in refused.stderr
    assert not target.exists()
    assert _cli("request", "pull", link_id, str(target), *server, env=env).returncode == 0
    assert (target / "x.txt").read_bytes() == b"locked"
