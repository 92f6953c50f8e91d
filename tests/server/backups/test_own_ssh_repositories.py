"""A user's own ssh:// borg repository, opened by the server with the SSH key it made for the
user, through Debian's real sshd (the session's, tests/servers.py) running
``borg serve --restrict-to-path`` as the forced command of the line the app suggests.

The host key is pinned when the repository is added; a changed one (the pinned key replaced
in the database, as if the server's key had changed since) and a refused key are both
answered with their own clear error. A provider backup into the repository and a restore out
of it are compared by hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.native.backup.ssh_access import fingerprint
from tests.native.providers.server_processes import free_port
from tests.server.backups.backups_world import (
    PASSPHRASE,
    backups_app,
    wait_for_restore,
    wait_for_rule,
)
from tests.server.rules.rules_world import connect, file_digests
from tests.servers import DAV_PASSWORD, DAV_USER, SshServer, WebDavServer

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")


@pytest.fixture()
def client(tmp_path: Path, sshd_server: SshServer) -> Iterator[TestClient]:
    try:
        with backups_app(tmp_path / "data") as signed_in:
            yield signed_in
    finally:
        sshd_server.hosted_keys.write_text("")  # the session's sshd serves other tests too


def _public(path: Path) -> str:
    return " ".join(path.read_text().split()[:2])


def _repository(client: TestClient, url: str, **more: Any) -> Any:
    body = {"name": "own", "url": url, "passphrase": PASSPHRASE, **more}
    return client.post("/api/v1/backups/repositories", json=body)


def test_an_own_ssh_repository_backs_up_and_restores_and_refuses_a_changed_host(
    client: TestClient, sshd_server: SshServer, wsgidav_server: WebDavServer, tmp_path: Path
) -> None:
    identity = client.get("/api/v1/backups/identity").json()
    assert identity["public_key"].startswith("ssh-ed25519 ")
    assert identity["fingerprint"] == fingerprint(identity["public_key"])
    assert identity["authorized_keys"].startswith(
        'command="borg serve --restrict-to-path /path/to/repository",restrict ssh-ed25519 '
    )
    assert client.get("/api/v1/backups/identity").json() == identity  # one key per user
    path = sshd_server.home / f"own-{uuid.uuid4().hex[:8]}"
    url = f"ssh://{sshd_server.username}@127.0.0.1:{sshd_server.port}{path}"

    refused = _repository(client, url)  # the key is not let in yet
    assert refused.status_code == 502 and refused.json()["error"] == "ssh_key_refused"
    assert "refused the key this server uses for you" in refused.json()["message"]
    assert client.get("/api/v1/backups/repositories").json()["repositories"] == []
    assert not path.exists()

    line = identity["authorized_keys"].replace("/path/to/repository", str(path))
    sshd_server.hosted_keys.write_text(line + "\n")
    made = _repository(client, url)
    assert made.status_code == 201, made.text
    repository = made.json()
    assert repository["url"] == url and (path / "config").is_file()
    assert repository["host_key"] == fingerprint(_public(sshd_server.known_hosts.parent /
                                                         "host_key.pub"))  # fmt: skip
    assert repository["settings"]["authorized_keys"] == line

    files = {"a.txt": b"alpha" * 5000, "sub/b.bin": bytes(range(256)) * 300, "empty": b""}
    source = f"own-{uuid.uuid4().hex[:8]}"
    for relative, content in files.items():
        (wsgidav_server.root / source / relative).parent.mkdir(parents=True, exist_ok=True)
        (wsgidav_server.root / source / relative).write_bytes(content)
    nas = connect(client, "nas", "webdav", url=wsgidav_server.url, username=DAV_USER,
                  password=DAV_PASSWORD)  # fmt: skip
    rule = client.post(
        "/api/v1/backups/rules",
        json={"connection_id": nas["id"], "source_path": source,
              "repository_id": repository["id"], "schedule": "every 6h"},
    ).json()  # fmt: skip
    client.post(f"/api/v1/backups/rules/{rule['id']}/run")
    run = wait_for_rule(client, rule["id"], 1)["runs"][0]
    assert run["status"] == "ok" and run["files"] == 3, run

    base = f"/api/v1/backups/repositories/{repository['id']}"
    restore = client.post(
        f"{base}/archives/{run['archive']}/restore",
        json={"path": "", "connection_id": nas["id"], "dest_path": f"{source}-back"},
    ).json()
    finished = wait_for_restore(client, restore["id"])
    assert finished["status"] == "ok" and finished["files"] == 3, finished
    want = {p: hashlib.sha256(c).hexdigest() for p, c in files.items()}
    assert _digests(client, nas["id"], f"{source}-back") == want

    _pin(client, repository["id"], _public(sshd_server.stranger_key.with_suffix(".pub")))
    changed = client.get(f"{base}/archives")
    assert changed.status_code == 502 and changed.json()["error"] == "host_key_changed"
    assert "shows another host key than when this repository was added" in (
        changed.json()["message"])  # fmt: skip
    assert repository["host_key"] in changed.json()["message"]  # the key it shows now


def test_a_key_taken_out_of_authorized_keys_is_refused_clearly(
    client: TestClient, sshd_server: SshServer
) -> None:
    identity = client.get("/api/v1/backups/identity").json()
    path = sshd_server.home / f"own-{uuid.uuid4().hex[:8]}"
    url = f"ssh://{sshd_server.username}@127.0.0.1:{sshd_server.port}{path}"
    line = identity["authorized_keys"].replace("/path/to/repository", str(path))
    sshd_server.hosted_keys.write_text(line + "\n")
    repository = _repository(client, url).json()
    base = f"/api/v1/backups/repositories/{repository['id']}"
    assert client.get(f"{base}/archives").json()["archives"] == []

    ours = " ".join(identity["public_key"].split()[:2])
    stranger = _public(sshd_server.stranger_key.with_suffix(".pub"))
    sshd_server.hosted_keys.write_text(line.replace(ours, stranger) + "\n")  # ours is out
    refused = client.get(f"{base}/archives")
    assert refused.status_code == 502 and refused.json()["error"] == "ssh_key_refused"
    assert "~/.ssh/authorized_keys" in refused.json()["message"]


def test_bad_ssh_repositories_are_refused_and_nothing_is_stored(
    client: TestClient, sshd_server: SshServer
) -> None:
    for wrong in ("ssh://127.0.0.1/x", "ssh://u@127.0.0.1:99999/x", "ssh://u@127.0.0.1:22",
                  "sftp://u@127.0.0.1/x", "ssh://u:secret@127.0.0.1/x"):  # fmt: skip
        answer = _repository(client, wrong)
        assert answer.status_code == 400, (wrong, answer.text)
    url = f"ssh://{sshd_server.username}@127.0.0.1:{sshd_server.port}/srv/x"
    not_kept = _repository(client, url, keep_passphrase=False)
    assert not_kept.status_code == 400 and "only with its passphrase" in not_kept.text
    closed = _repository(client, f"ssh://u@127.0.0.1:{free_port()}/srv/x")
    assert closed.status_code == 502 and "Could not reach the SSH server" in closed.text
    unknown = _repository(client, "ssh://u@no-such-host.invalid/srv/x")
    assert unknown.status_code == 502 and unknown.json()["error"] == "ssh_unreachable"
    assert client.get("/api/v1/backups/repositories").json()["repositories"] == []


def _pin(client: TestClient, repository_id: int, host_key: str) -> None:
    """What a changed host key looks like from here: another key pinned than it shows."""
    store = client.app.state.backups.store  # type: ignore[attr-defined]
    repository = asyncio.run(store.repository(1, repository_id))
    asyncio.run(store.save_repository(replace(repository, host_key=host_key)))


def _digests(client: TestClient, connection_id: int, folder: str) -> dict[str, str]:
    rules = client.app.state.rules  # type: ignore[attr-defined]

    async def read() -> dict[str, str]:
        connection = await rules.store.connection(1, connection_id)
        return await file_digests(rules.connections.provider(connection, folder))

    return asyncio.run(read())
