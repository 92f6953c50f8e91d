"""Provider backups run by the server with no client on: WebDAV (wsgidav) and S3 (rclone serve
s3) into a hosted borg repository, restored into S3 and compared by hash.

The rule is created through the API; its first run is made due in the database, as the clock
would make it, and the scheduler alone starts it. A broken repository makes a run fail: the
failure is on the run, on the rule and in the user's events, and the next run succeeds again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide.native.providers.s3.provider import S3Provider, S3Settings
from syncoxide.providers.contract import chunks_of
from tests.server.backups.backups_world import (
    PASSPHRASE,
    backups_app,
    wait_for_restore,
    wait_for_rule,
)
from tests.server.rules.rules_world import connect, file_digests
from tests.servers import ACCESS_KEY, DAV_PASSWORD, DAV_USER, SECRET_KEY, S3Server, WebDavServer

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with backups_app(tmp_path / "data") as signed_in:
        yield signed_in


def _make_due(client: TestClient, rule_id: int) -> None:
    """What the clock does at the scheduled time: the rule's next_run_at has come."""
    service = client.app.state.backups  # type: ignore[attr-defined]
    rule = asyncio.run(service.store.rule(1, rule_id))
    asyncio.run(service.store.save_rule(replace(rule, next_run_at=0)))
    service.scheduler.wake()


def test_a_webdav_folder_is_backed_up_on_schedule_and_restored_into_s3(
    client: TestClient, wsgidav_server: WebDavServer, rclone_s3: S3Server, tmp_path: Path
) -> None:
    source = f"backup-{uuid.uuid4().hex[:8]}"
    files = {"docs/a.txt": b"alpha" * 3000, "b.bin": bytes(range(256)) * 400, "empty": b""}
    for path, content in files.items():
        (wsgidav_server.root / source / path).parent.mkdir(parents=True, exist_ok=True)
        (wsgidav_server.root / source / path).write_bytes(content)
    nas = connect(client, "nas", "webdav", url=wsgidav_server.url, username=DAV_USER,
                  password=DAV_PASSWORD)  # fmt: skip
    bucket = connect(client, "bucket", "s3", endpoint=rclone_s3.endpoint, bucket=rclone_s3.bucket,
                     access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY,
                     region="us-east-1")  # fmt: skip
    repository = client.post(
        "/api/v1/backups/repositories", json={"name": "cloud", "passphrase": PASSPHRASE}
    ).json()
    made = client.post(
        "/api/v1/backups/rules",
        json={
            "connection_id": nas["id"],
            "source_path": source,
            "repository_id": repository["id"],
            "schedule": "daily at 03:00",
            "retention": {"daily": 7},
        },
    )
    assert made.status_code == 201, made.text
    rule = made.json()
    assert rule["prefix"] == source and rule["next_run_at"] > 0
    _make_due(client, rule["id"])
    rule = wait_for_rule(client, rule["id"], 1)
    first = rule["runs"][0]
    assert (first["status"], first["trigger"], first["files"]) == ("ok", "schedule", 3), first
    assert first["bytes"] == sum(map(len, files.values())) and first["added"] > 0
    assert rule["next_run_at"] > first["finished_at"]  # moved on to the next 03:00

    (wsgidav_server.root / source / "later.txt").write_bytes(b"second run")
    assert client.post(f"/api/v1/backups/rules/{rule['id']}/run").status_code == 202
    rule = wait_for_rule(client, rule["id"], 2)
    second = rule["runs"][0]
    assert second["status"] == "ok" and second["trigger"] == "manual" and second["files"] == 4
    assert second["added"] < first["added"]  # borg stored only what changed

    base = f"/api/v1/backups/repositories/{repository['id']}"
    archives = client.get(f"{base}/archives").json()["archives"]
    assert [a["name"] for a in archives] == [second["archive"], first["archive"]]
    restore = client.post(
        f"{base}/archives/{second['archive']}/restore",
        json={"path": "", "connection_id": bucket["id"], "dest_path": f"{source}-restored"},
    )
    assert restore.status_code == 202, restore.text
    finished = wait_for_restore(client, restore.json()["id"])
    assert finished["status"] == "ok" and finished["files"] == 4, finished
    want = {p: hashlib.sha256(c).hexdigest() for p, c in files.items()}
    want["later.txt"] = hashlib.sha256(b"second run").hexdigest()
    assert _digests(client, bucket["id"], f"{source}-restored") == want

    assert not _holds(tmp_path / "data", PASSPHRASE.encode()), "the passphrase is kept in clear"


def test_an_s3_source_remembers_its_objects_between_runs(
    client: TestClient, rclone_s3: S3Server, tmp_path: Path
) -> None:
    """The rule's provider keeps what it learned (each object's mtime, from its GET) in the
    rule's state folder, so later listings HEAD only the objects that changed. Two runs in the
    same second get two archive names (names have one-second precision)."""
    source = f"backup-{uuid.uuid4().hex[:8]}"
    files = {"a.txt": b"a" * 100, "d/b.bin": bytes(range(256)) * 10}
    asyncio.run(_put_s3(rclone_s3, source, files))
    bucket = connect(client, "bucket", "s3", endpoint=rclone_s3.endpoint, bucket=rclone_s3.bucket,
                     access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY,
                     region="us-east-1")  # fmt: skip
    repository = client.post(
        "/api/v1/backups/repositories", json={"name": "s3src", "passphrase": PASSPHRASE}
    ).json()
    rule = client.post(
        "/api/v1/backups/rules",
        json={"connection_id": bucket["id"], "source_path": source,
              "repository_id": repository["id"], "schedule": "every 6h"},
    ).json()  # fmt: skip
    runner = client.app.state.backups.scheduler.runner  # type: ignore[attr-defined]
    runner.clock = lambda: 1_800_000_000  # both runs in one second: names must still differ
    client.post(f"/api/v1/backups/rules/{rule['id']}/run")
    first = wait_for_rule(client, rule["id"], 1)["runs"][0]
    assert first["status"] == "ok" and first["files"] == 2, first
    state = tmp_path / "data" / "backups-state" / "user-1" / f"rule-{rule['id']}"
    assert oct(state.stat().st_mode & 0o777) == "0o700"  # it names the user's files
    (memory,) = state.rglob("s3-objects.json")
    remembered = json.loads(memory.read_text())["objects"]
    assert {f"{source}/{path}" for path in files} <= set(remembered)
    client.post(f"/api/v1/backups/rules/{rule['id']}/run")
    second = wait_for_rule(client, rule["id"], 2)["runs"][0]
    assert second["status"] == "ok" and second["files"] == 2, second["message"]
    assert second["added"] < first["added"]
    assert (first["archive"], second["archive"]) == (
        f"{source}-2027-01-15T08:00:00",
        f"{source}-2027-01-15T08:00:01",
    )


async def _put_s3(server: S3Server, prefix: str, files: dict[str, bytes]) -> None:
    settings = S3Settings(bucket=server.bucket, prefix=prefix, endpoint_url=server.endpoint,
                          access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY)  # fmt: skip
    async with S3Provider(settings) as provider:
        for path, content in files.items():
            await provider.write(path, chunks_of(content), mtime_ns=1_700_000_000 * 10**9)


def test_a_failed_backup_is_shown_and_the_next_one_succeeds(
    client: TestClient, wsgidav_server: WebDavServer
) -> None:
    source = f"backup-{uuid.uuid4().hex[:8]}"
    (wsgidav_server.root / source).mkdir()
    (wsgidav_server.root / source / "a.txt").write_bytes(b"kept safe")
    nas = connect(client, "nas", "webdav", url=wsgidav_server.url, username=DAV_USER,
                  password=DAV_PASSWORD)  # fmt: skip
    repository = client.post(
        "/api/v1/backups/repositories", json={"name": "r", "passphrase": PASSPHRASE}
    ).json()
    rule = client.post(
        "/api/v1/backups/rules",
        json={
            "connection_id": nas["id"],
            "source_path": source,
            "repository_id": repository["id"],
            "schedule": "every 6h",
        },
    ).json()
    area = Path(client.get("/api/v1/backups/hosting").json()["area"])
    (area / "r").rename(area / "r-moved")  # the repository is gone for this run
    client.post(f"/api/v1/backups/rules/{rule['id']}/run")
    failed = wait_for_rule(client, rule["id"], 1)
    assert failed["status"] == "failed" and failed["runs"][0]["status"] == "failed"
    assert "no borg repository" in failed["status_message"]
    events = client.get("/api/v1/events").json()["events"]
    finished = [e for e in events if e["kind"] == "backup.run.finished"]
    assert finished[-1]["payload"]["status"] == "failed"
    assert "no borg repository" in finished[-1]["payload"]["message"]

    (area / "r-moved").rename(area / "r")
    client.post(f"/api/v1/backups/rules/{rule['id']}/run")
    healed = wait_for_rule(client, rule["id"], 2)
    assert healed["status"] == "ok" and healed["runs"][0]["files"] == 1


def test_bad_rules_are_refused_and_nothing_is_stored(
    client: TestClient, wsgidav_server: WebDavServer
) -> None:
    nas = connect(client, "nas", "webdav", url=wsgidav_server.url, username=DAV_USER,
                  password=DAV_PASSWORD)  # fmt: skip
    repository = client.post(
        "/api/v1/backups/repositories",
        json={"name": "r", "passphrase": PASSPHRASE, "keep_passphrase": False},
    ).json()
    body = {"connection_id": nas["id"], "repository_id": repository["id"]}
    not_kept = client.post("/api/v1/backups/rules", json=body)
    assert not_kept.status_code == 400 and not_kept.json()["error"] == "passphrase_not_kept"
    client.put(
        f"/api/v1/backups/repositories/{repository['id']}/passphrase",
        json={"passphrase": PASSPHRASE},
    )
    for wrong in ({"schedule": "sometimes"}, {"prefix": "no/slash"}, {"source_path": "../x"},
                  {"retention": {"daily": -1}}, {"connection_id": 999}):  # fmt: skip
        answer = client.post("/api/v1/backups/rules", json={**body, **wrong})
        assert 400 <= answer.status_code < 500, (wrong, answer.text)
    assert client.get("/api/v1/backups/rules").json()["rules"] == []


def _digests(client: TestClient, connection_id: int, folder: str) -> dict[str, str]:
    rules = client.app.state.rules  # type: ignore[attr-defined]

    async def read() -> dict[str, str]:
        connection = await rules.store.connection(1, connection_id)
        return await file_digests(rules.connections.provider(connection, folder))

    return asyncio.run(read())


def _holds(folder: Path, secret: bytes) -> bool:
    return any(secret in path.read_bytes() for path in folder.rglob("*") if path.is_file())
