"""Two accounts on one server, each with its own provider among the real test servers: alice's
folder on WebDAV (wsgidav), bob's copy in S3 (``rclone serve s3``). The server keeps the two in
step with no client running: bob changes a file in S3 and alice sees it on WebDAV, told who
changed it; alice deletes one and it disappears from bob's bucket. Read-only: bob's own change
in S3 is put back from alice's copy and bob is told so.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.accountshares.shares_world import Person, World, shares_world
from tests.server.rules.rules_world import file_digests
from tests.servers import ACCESS_KEY, DAV_PASSWORD, DAV_USER, SECRET_KEY, S3Server, WebDavServer

BASE = "/api/v1/account-shares"


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    with shares_world(tmp_path / "data", names=("alice", "bob")) as made:
        yield made


def _connect(person: Person, name: str, kind: str, **options: str) -> dict[str, Any]:
    made = person.post("/api/v1/connections", json={"name": name, "kind": kind, "options": options})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _providers(world: World, dav: WebDavServer, s3: S3Server) -> tuple[int, int]:
    nas = _connect(world["alice"], "nas", "webdav", url=dav.url, username=DAV_USER,
                   password=DAV_PASSWORD)  # fmt: skip
    bucket = _connect(world["bob"], "bucket", "s3", endpoint=s3.endpoint, bucket=s3.bucket,
                      access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY,
                      region="us-east-1")  # fmt: skip
    return nas["id"], bucket["id"]


def _bob_s3(world: World, connection_id: int, folder: str) -> Any:
    """Bob's bucket through the S3 provider (called outside any event loop)."""
    service = world.app.state.rules
    connection = asyncio.run(service.store.connection(world["bob"].user_id, connection_id))
    return service.connections.provider(connection, folder)


def _s3_files(world: World, connection_id: int, folder: str) -> dict[str, str]:
    return asyncio.run(file_digests(_bob_s3(world, connection_id, folder)))


def _s3_write(world: World, connection_id: int, folder: str, path: str, data: bytes) -> None:
    provider = _bob_s3(world, connection_id, folder)

    async def write() -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield data

        try:
            await provider.write(path, chunks(), mtime_ns=time.time_ns())
        finally:
            await provider.aclose()

    asyncio.run(write())


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _shared_into_s3(
    world: World, dav: WebDavServer, s3: S3Server, read_only: bool
) -> tuple[dict[str, Any], Path, int, str]:
    folder = f"acct-{uuid.uuid4().hex[:8]}"
    root = dav.root / folder
    (root / "docs").mkdir(parents=True)
    (root / "plan.txt").write_bytes(b"first plan\n")
    (root / "docs" / "notes.md").write_bytes(b"# notes\n" * 100)
    _nas, bucket = _providers(world, dav, s3)
    made = world["alice"].post(
        BASE, json={"to": "bob", "place": f"nas:{folder}", "read_only": read_only}
    )
    assert made.status_code == 201, made.text
    share = made.json()
    dest = f"{folder}-copy"
    accepted = world["bob"].post(f"{BASE}/{share['id']}/accept", json={"place": f"bucket:{dest}"})
    assert accepted.status_code == 200, accepted.text
    synced = world.wait_synced(world["bob"], share["id"], 0)
    assert synced["sync_status"] == "ok", synced
    return share, root, bucket, dest


def test_bob_changes_in_s3_reach_alice_on_webdav_and_alices_delete_reaches_bob(
    world: World, wsgidav_server: WebDavServer, rclone_s3: S3Server
) -> None:
    share, root, bucket, dest = _shared_into_s3(world, wsgidav_server, rclone_s3, False)
    assert _s3_files(world, bucket, dest) == {
        "plan.txt": _digest(b"first plan\n"),
        "docs/notes.md": _digest(b"# notes\n" * 100),
    }

    # bob changes a file in his bucket; the server carries it to alice's WebDAV folder
    before = world["bob"].share(share["id"])["last_sync_at"]
    time.sleep(1.1)  # a new second, so the run after this one is told apart
    _s3_write(world, bucket, dest, "plan.txt", b"bob's better plan\n")
    assert world["bob"].post(f"{BASE}/{share['id']}/sync").status_code == 202
    world.wait_synced(world["bob"], share["id"], before)
    assert (root / "plan.txt").read_bytes() == b"bob's better plan\n"
    changed = world["alice"].events("share.changed")
    assert changed[-1]["by"] == "bob"
    assert changed[-1]["changes"] == [{"path": "plan.txt", "action": "changed"}]

    # alice deletes a file on WebDAV; it disappears from bob's bucket
    before = world["alice"].share(share["id"])["last_sync_at"]
    time.sleep(1.1)
    (root / "docs" / "notes.md").unlink()
    assert world["alice"].post(f"{BASE}/{share['id']}/sync").status_code == 202
    world.wait_synced(world["alice"], share["id"], before)
    assert _s3_files(world, bucket, dest) == {"plan.txt": _digest(b"bob's better plan\n")}
    told = world["bob"].events("share.changed")[-1]
    assert told["by"] == "alice"
    assert {"path": "docs/notes.md", "action": "deleted"} in told["changes"]


def test_a_read_only_recipients_change_in_s3_is_put_back_and_they_are_told(
    world: World, wsgidav_server: WebDavServer, rclone_s3: S3Server
) -> None:
    share, root, bucket, dest = _shared_into_s3(world, wsgidav_server, rclone_s3, True)
    before = world["bob"].share(share["id"])["last_sync_at"]
    time.sleep(1.1)
    _s3_write(world, bucket, dest, "plan.txt", b"bob was not supposed to\n")
    _s3_write(world, bucket, dest, "extra.txt", b"bob's own file\n")
    world["bob"].post(f"{BASE}/{share['id']}/sync")
    world.wait_synced(world["bob"], share["id"], before)
    assert (root / "plan.txt").read_bytes() == b"first plan\n"  # alice's copy never changed
    assert not (root / "extra.txt").exists()
    assert _s3_files(world, bucket, dest)["plan.txt"] == _digest(b"first plan\n")
    assert "extra.txt" not in _s3_files(world, bucket, dest)
    [undone] = world["bob"].events("share.undone")
    assert sorted(undone["paths"]) == ["extra.txt", "plan.txt"]
    assert "read-only" in undone["message"]
    assert world["alice"].events("share.changed") == []


def test_a_recipient_whose_provider_refuses_waits_in_reconnect_and_resumes(
    world: World, wsgidav_server: WebDavServer, rclone_s3: S3Server
) -> None:
    from dataclasses import replace

    folder = f"acct-{uuid.uuid4().hex[:8]}"
    (wsgidav_server.root / folder).mkdir()
    (wsgidav_server.root / folder / "kept.txt").write_bytes(b"alice's file\n")
    _nas, bucket = _providers(world, wsgidav_server, rclone_s3)
    # bob's stored S3 secret goes stale (the key was rotated at the provider)
    rules = world.app.state.rules
    connection = asyncio.run(rules.store.connection(world["bob"].user_id, bucket))
    options = {**rules.connections.options(connection), "secret_access_key": "rotated-away-1234"}
    _, sealed = rules.connections._sealed(connection.user_id, connection.name, "s3", options)
    asyncio.run(rules.store.save_connection(replace(connection, secrets=sealed)))

    share = world["alice"].post(BASE, json={"to": "bob", "place": f"nas:{folder}"}).json()
    world["bob"].post(f"{BASE}/{share['id']}/accept", json={"place": f"bucket:{folder}"})
    waiting = world.wait_synced(world["bob"], share["id"], 0)
    assert waiting["sync_status"] == "reconnect", waiting
    assert "bob's bucket must be reconnected" in waiting["sync_message"]
    assert (wsgidav_server.root / folder / "kept.txt").read_bytes() == b"alice's file\n"
    time.sleep(1.5)  # it waits: no retry storm
    assert world["bob"].share(share["id"])["last_sync_at"] == waiting["last_sync_at"]

    fixed = world["bob"].call(
        "PUT", f"/api/v1/connections/{bucket}", json={"options": {"secret_access_key": SECRET_KEY}}
    )
    assert fixed.status_code == 200, fixed.text
    done = world.wait_synced(world["bob"], share["id"], waiting["last_sync_at"] - 1)
    deadline = time.monotonic() + 30
    while done["sync_status"] != "ok" and time.monotonic() < deadline:
        time.sleep(0.3)
        done = world["bob"].share(share["id"])
    assert done["sync_status"] == "ok", done
    assert _s3_files(world, bucket, folder) == {"kept.txt": _digest(b"alice's file\n")}
