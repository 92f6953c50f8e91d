"""Sync rules run on the server between real servers: wsgidav WebDAV and ``rclone serve s3``.

The rule is created through the API, then nothing else is asked of it: the scheduler runs it
at once and again after its interval, and the files arrive at the destination, verified by
hash. Bad input (unknown type, missing bucket, wrong password) gives a clear error and
stores nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.server.rules.rules_world import connect, file_digests, rules_client, wait_for_runs
from tests.servers import (
    ACCESS_KEY,
    DAV_PASSWORD,
    DAV_USER,
    SECRET_KEY,
    S3Server,
    SshServer,
    WebDavServer,
)


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with rules_client(tmp_path / "data") as signed_in:
        yield signed_in


def _s3(client: TestClient, s3: S3Server, name: str = "bucket", bucket: str = "") -> dict:
    return connect(
        client,
        name,
        "s3",
        endpoint=s3.endpoint,
        bucket=bucket or s3.bucket,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        region="us-east-1",
    )


def _dav(client: TestClient, dav: WebDavServer, name: str = "nas") -> dict:
    return connect(client, name, "webdav", url=dav.url, username=DAV_USER, password=DAV_PASSWORD)


def _s3_digests(client: TestClient, connection_id: int, folder: str) -> dict[str, str]:
    """sha256 of every file under ``folder``, read back through the S3 provider."""
    service = client.app.state.rules  # type: ignore[attr-defined]

    async def read() -> dict[str, str]:
        connection = await service.store.connection(1, connection_id)
        return await file_digests(service.connections.provider(connection, folder))

    return asyncio.run(read())


def test_a_rule_copies_webdav_to_s3_on_its_schedule(
    client: TestClient, wsgidav_server: WebDavServer, rclone_s3: S3Server
) -> None:
    source = f"rules-{uuid.uuid4().hex[:8]}"
    folder = wsgidav_server.root / source
    (folder / "docs").mkdir(parents=True)
    files = {"docs/a.txt": b"alpha" * 1000, "b.bin": bytes(range(256)) * 300}
    for path, content in files.items():
        (folder / path).write_bytes(content)
    nas, bucket = _dav(client, wsgidav_server), _s3(client, rclone_s3)
    assert nas["state"] == "ok" and nas["secrets"] == ["password"]
    assert DAV_PASSWORD not in client.get("/api/v1/connections").text
    made = client.post(
        "/api/v1/rules",
        json={
            "name": "nas to bucket",
            "source_id": nas["id"],
            "source_path": source,
            "dest_id": bucket["id"],
            "dest_path": f"{source}-copy",
            "mode": "copy",
            "interval_seconds": 10,
        },
    )
    assert made.status_code == 201, made.text
    rule = wait_for_runs(client, made.json()["id"], 1)
    assert rule["status"] == "ok", rule
    assert rule["runs"][0]["actions"] >= 2 and rule["runs"][0]["trigger"] == "schedule"
    want = {p: hashlib.sha256(c).hexdigest() for p, c in files.items()}
    assert _s3_digests(client, bucket["id"], f"{source}-copy") == want

    (folder / "later.txt").write_bytes(b"arrived on the next scheduled run")
    rule = wait_for_runs(client, rule["id"], 2, timeout=40)
    assert [r["status"] for r in rule["runs"]] == ["ok", "ok"]
    want["later.txt"] = hashlib.sha256(b"arrived on the next scheduled run").hexdigest()
    assert _s3_digests(client, bucket["id"], f"{source}-copy") == want

    refreshed = client.post("/api/v1/catalog/refresh", json={}).json()["sources"]
    assert [s["error"] for s in refreshed] == ["", "", ""], refreshed
    found = client.get("/api/v1/catalog/search", params={"q": "LATER"}).json()["entries"]
    # The servers are the session's, shared with other tests: look at this test's folders only.
    places = sorted(e["location"] for e in found if source in e["location"])
    assert places == [f"bucket:{source}-copy/later.txt", f"nas:{source}/later.txt"]


def test_bad_connections_are_refused_clearly_and_nothing_is_stored(
    client: TestClient, wsgidav_server: WebDavServer, rclone_s3: S3Server
) -> None:
    unknown = client.post("/api/v1/connections", json={"name": "x", "kind": "ftp", "options": {}})
    assert unknown.status_code == 400 and "Unknown remote type 'ftp'" in unknown.json()["message"]
    missing = client.post(
        "/api/v1/connections", json={"name": "x", "kind": "s3", "options": {"region": "x"}}
    )
    assert missing.status_code == 400 and "needs bucket" in missing.json()["message"]
    no_bucket = client.post(
        "/api/v1/connections",
        json={
            "name": "nobucket",
            "kind": "s3",
            "options": {
                "endpoint": rclone_s3.endpoint,
                "bucket": "no-such-bucket",
                "access_key_id": ACCESS_KEY,
                "secret_access_key": SECRET_KEY,
            },
        },
    )
    assert no_bucket.status_code == 422, no_bucket.text
    assert "no-such-bucket" in no_bucket.json()["message"]
    wrong = client.post(
        "/api/v1/connections",
        json={
            "name": "nas",
            "kind": "webdav",
            "options": {"url": wsgidav_server.url, "username": DAV_USER, "password": "wrong"},
        },
    )
    assert wrong.status_code == 422, wrong.text
    assert "Reconnect" in wrong.json()["message"]
    server_file = client.post(
        "/api/v1/connections",
        json={
            "name": "box",
            "kind": "sftp",
            "options": {"host": "127.0.0.1", "username": "u", "private_key": "/etc/ssh/key"},
        },
    )
    assert server_file.status_code == 400 and "does not take private_key" in server_file.text
    assert client.get("/api/v1/connections").json() == {"connections": []}


def test_sftp_with_a_pasted_key_syncs_to_webdav(
    client: TestClient, sshd_server: SshServer, wsgidav_server: WebDavServer
) -> None:
    folder = sshd_server.home / f"rules-{uuid.uuid4().hex[:8]}"
    (folder / "deep" / "er").mkdir(parents=True)
    files = {"deep/er/x.bin": bytes(range(256)) * 700, "y.txt": b"over ssh\n"}
    for path, content in files.items():
        (folder / path).write_bytes(content)
    base = {
        "host": "127.0.0.1",
        "port": str(sshd_server.port),
        "username": sshd_server.username,
        "root": "/",
        "known_hosts_data": sshd_server.known_hosts.read_text(),
    }
    stranger = client.post(
        "/api/v1/connections",
        json={
            "name": "srv",
            "kind": "sftp",
            "options": {**base, "private_key_data": sshd_server.stranger_key.read_text()},
        },
    )
    assert stranger.status_code == 422 and "Reconnect" in stranger.json()["message"]
    no_key = client.post(
        "/api/v1/connections", json={"name": "srv", "kind": "sftp", "options": base}
    )
    assert no_key.status_code == 422, "the server's own ssh keys must never stand in for a user's"
    srv = connect(
        client, "srv", "sftp", **base, private_key_data=sshd_server.client_key.read_text()
    )
    assert srv["secrets"] == ["private_key_data"] and "private_key_data" not in srv["options"]
    nas = _dav(client, wsgidav_server)
    made = client.post(
        "/api/v1/rules",
        json={
            "source_id": srv["id"],
            "source_path": str(folder),
            "dest_id": nas["id"],
            "dest_path": f"{folder.name}-from-ssh",
            "enabled": False,
        },
    ).json()
    assert client.post(f"/api/v1/rules/{made['id']}/run").status_code == 202
    rule = wait_for_runs(client, made["id"], 1)
    assert rule["status"] == "ok", rule["status_message"]
    arrived = wsgidav_server.root / f"{folder.name}-from-ssh"
    for path, content in files.items():
        assert (
            hashlib.sha256((arrived / path).read_bytes()).digest()
            == hashlib.sha256(content).digest()
        )
