"""Hosted repositories through Debian's real sshd: keys registered in the app reach their
owner's area only, through the authorized_keys lines the server writes.

The session's sshd (tests/servers.py) also reads ``hosted_keys``; the app is
told to write its forced-command lines there, exactly as an operator points it at the backup
account's ``~/.ssh/authorized_keys``. The client is plain borg over ssh, as on a user's laptop.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide.errors import SyncoxideError, UsageError
from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository
from tests.server.backups.backups_world import PASSPHRASE, backups_app, make_tree, other_client
from tests.servers import SshServer

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")


@pytest.fixture()
def client(tmp_path: Path, sshd_server: SshServer) -> Iterator[TestClient]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(
        f'[backups]\nauthorized_keys = "{sshd_server.hosted_keys}"\nssh_host = "127.0.0.1"\n'
        f'ssh_port = {sshd_server.port}\nssh_login = "{sshd_server.username}"\n'
    )
    try:
        with backups_app(data, ("alice", "bob")) as signed_in:
            yield signed_in
    finally:
        sshd_server.hosted_keys.write_text("")  # the session's sshd serves other tests too


def _key(folder: Path, name: str) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                    "-f", str(folder / name)], check=True)  # fmt: skip
    return folder / name


def _laptop(tmp_path: Path, sshd: SshServer, key: Path) -> BorgSettings:
    ssh = (f"ssh -i {key} -o IdentitiesOnly=yes -o UserKnownHostsFile={sshd.known_hosts} "
           "-o StrictHostKeyChecking=yes -o BatchMode=yes")  # fmt: skip
    return BorgSettings(PASSPHRASE, base_dir=tmp_path / f"borg-{key.name}", rsh=ssh)


def test_a_laptop_backs_up_over_ssh_into_what_the_app_then_lists(
    client: TestClient, tmp_path: Path, sshd_server: SshServer
) -> None:
    key = _key(tmp_path, "alice-laptop")
    added = client.post(
        "/api/v1/backups/keys", json={"public_key": key.with_suffix(".pub").read_text()}
    )
    assert added.status_code == 201, added.text
    repository = client.post(
        "/api/v1/backups/repositories", json={"name": "laptop", "passphrase": PASSPHRASE}
    ).json()
    url = repository["settings"]["repository_url"]
    assert url.startswith(f"ssh://{sshd_server.username}@127.0.0.1:{sshd_server.port}/")
    tree = make_tree(tmp_path / "home")
    laptop = BorgRepository(url, _laptop(tmp_path, sshd_server, key))
    asyncio.run(laptop.create("laptop-2026-12-06T10:00:00", ["docs"], cwd=tmp_path / "home"))
    listed = client.get(f"/api/v1/backups/repositories/{repository['id']}/archives").json()
    assert [a["name"] for a in listed["archives"]] == ["laptop-2026-12-06T10:00:00"]
    one = next(iter(tree))
    got = client.get(
        f"/api/v1/backups/repositories/{repository['id']}/archives/laptop-2026-12-06T10:00:00/file",
        params={"path": one},
    )
    assert got.content == tree[one]

    bob_area = Path(other_client(client, "bob").get("/api/v1/backups/hosting").json()["area"])
    server = f"ssh://{sshd_server.username}@127.0.0.1:{sshd_server.port}"
    elsewhere = BorgRepository(f"{server}{bob_area}/stolen", _laptop(tmp_path, sshd_server, key))
    with pytest.raises(UsageError, match="refused that repository path"):
        asyncio.run(elsewhere.init())
    assert not bob_area.exists() or not any(bob_area.iterdir())

    client.delete(f"/api/v1/backups/keys/{added.json()['id']}")
    with pytest.raises(SyncoxideError):  # the key is gone: sshd refuses it
        asyncio.run(laptop.summary())


def test_an_append_only_key_over_ssh_cannot_delete_the_repository(
    client: TestClient, tmp_path: Path, sshd_server: SshServer
) -> None:
    key = _key(tmp_path, "phone")
    public = key.with_suffix(".pub").read_text()
    added = client.post("/api/v1/backups/keys", json={"public_key": public, "append_only": True})
    assert added.status_code == 201
    area = client.get("/api/v1/backups/hosting").json()["area"]
    settings = _laptop(tmp_path, sshd_server, key)
    url = f"ssh://{sshd_server.username}@127.0.0.1:{sshd_server.port}{area}/phone"
    phone = BorgRepository(url, settings)
    asyncio.run(phone.init())
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "cat.jpg").write_bytes(b"meow" * 1000)
    asyncio.run(phone.create("phone-2026-12-06T10:00:00", ["pics"], cwd=tmp_path))
    env = {**os.environ, **settings.environment(None), "BORG_PASSPHRASE": PASSPHRASE,
           "BORG_DELETE_I_KNOW_WHAT_I_AM_DOING": "YES"}  # fmt: skip
    wiped = subprocess.run(["borg", "delete", url], env=env, capture_output=True, text=True,
                           check=False)  # fmt: skip
    assert wiped.returncode == 2 and "append-only" in wiped.stderr, wiped.stderr
    assert (Path(area) / "phone" / "config").is_file()
