"""Restores into a provider (real borg, the real S3 server) show how far they are, stop when
cancelled, are marked interrupted when the server stops, and can be started again.

To cancel at a known point the destination is the real S3 provider behind a gate that holds
the third file's write until the test lets it go (``GatedConnections``): the files, borg and
S3 are all real; only the moment is chosen.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.server.backups.restores import RestorePace
from tests.server.backups.backups_world import (
    PASSPHRASE,
    back_up_from_a_client,
    backups_app,
    make_tree,
    wait_for_restore,
)
from tests.server.rules.rules_world import connect, file_digests
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")
ARCHIVE = "docs-2026-12-06T10:00:00"


class GatedProvider:
    """The real provider; its ``hold_at``-th write waits until ``gate`` is set."""

    def __init__(self, real: Any, gate: threading.Event, hold_at: int, writes: list[str]) -> None:
        self.real, self.gate, self.hold_at, self.writes = real, gate, hold_at, writes

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    async def write(self, path: str, chunks: AsyncIterator[bytes], **options: Any) -> Any:
        if len(self.writes) + 1 == self.hold_at:
            while not self.gate.is_set():
                await asyncio.sleep(0.02)
        answer = await self.real.write(path, chunks, **options)
        self.writes.append(path)
        return answer


class GatedConnections:
    def __init__(self, real: Any, gate: threading.Event, hold_at: int) -> None:
        self.real, self.gate, self.hold_at = real, gate, hold_at
        self.writes: list[str] = []
        self.store = real.store

    def provider(self, connection: Any, path: str) -> Any:
        return GatedProvider(self.real.provider(connection, path), self.gate, self.hold_at,
                             self.writes)  # fmt: skip


@pytest.fixture()
def world(tmp_path: Path, rclone_s3: S3Server) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with backups_app(tmp_path / "data") as client:
        yield client, _fill(client, tmp_path, rclone_s3)


def _fill(client: TestClient, tmp_path: Path, rclone_s3: S3Server) -> dict[str, Any]:
    """A hosted repository holding ARCHIVE of a 12-file tree, and an S3 connection."""
    restores = client.app.state.backups.restores  # type: ignore[attr-defined]
    restores.pace = RestorePace(progress_seconds=0.05, event_seconds=0.05)
    repository = client.post(
        "/api/v1/backups/repositories", json={"name": "docs", "passphrase": PASSPHRASE}
    ).json()
    area = Path(client.get("/api/v1/backups/hosting").json()["area"])
    tree = make_tree(tmp_path / "home", files=12)
    back_up_from_a_client(area, "docs", tmp_path / "home", ARCHIVE)
    bucket = connect(client, "bucket", "s3", endpoint=rclone_s3.endpoint,
                     bucket=rclone_s3.bucket, access_key_id=ACCESS_KEY,
                     secret_access_key=SECRET_KEY, region="us-east-1")  # fmt: skip
    return {"repository": repository, "bucket": bucket, "tree": tree}


def _start(client: TestClient, world: dict[str, Any], dest: str, path: str = "docs") -> Any:
    base = f"/api/v1/backups/repositories/{world['repository']['id']}/archives/{ARCHIVE}"
    body = {"path": path, "connection_id": world["bucket"]["id"], "dest_path": dest}
    answer = client.post(f"{base}/restore", json=body)
    assert answer.status_code == 202, answer.text
    return answer.json()


def _wait(client: TestClient, restore_id: int, done: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        restore = client.get(f"/api/v1/backups/restores/{restore_id}").json()
        if done(restore):
            return restore
        time.sleep(0.02)
    raise AssertionError(f"restore {restore_id} never got there: {restore}")


def _digests(client: TestClient, connection_id: int, folder: str) -> dict[str, str]:
    rules = client.app.state.rules  # type: ignore[attr-defined]

    async def read() -> dict[str, str]:
        connection = await rules.store.connection(1, connection_id)
        return await file_digests(rules.connections.provider(connection, folder))

    return asyncio.run(read())


def _hashes(tree: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(content).hexdigest() for path, content in tree.items()}


def _held(client: TestClient, gate: threading.Event, hold_at: int) -> GatedConnections:
    restores = client.app.state.backups.restores  # type: ignore[attr-defined]
    gated = GatedConnections(restores.connections, gate, hold_at)
    restores.connections = gated
    return gated


def test_a_restore_shows_its_progress_in_the_api_and_the_live_events(
    world: tuple[TestClient, dict[str, Any]],
) -> None:
    client, things = world
    gate = threading.Event()
    _held(client, gate, hold_at=3)
    dest = f"restored-{uuid.uuid4().hex[:6]}"
    started = _start(client, things, dest)
    assert started["status"] == "running" and started["files"] == 0
    total_bytes = sum(map(len, things["tree"].values()))
    midway = _wait(client, started["id"], lambda r: r["files"] == 2)
    assert (midway["status"], midway["files_total"], midway["bytes_total"]) == (
        "running", 12, total_bytes)  # fmt: skip
    assert 0 < midway["bytes"] < total_bytes
    gate.set()
    finished = wait_for_restore(client, started["id"])
    assert finished["status"] == "ok", finished
    assert (finished["files"], finished["bytes"]) == (12, total_bytes)
    assert "12 files" in finished["message"]
    assert _digests(client, things["bucket"]["id"], dest) == _hashes(things["tree"])

    events = [e for e in client.get("/api/v1/events").json()["events"]
              if e["payload"].get("restore_id") == started["id"]]  # fmt: skip
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "backup.restore.started" and kinds[-1] == "backup.restore.finished"
    progress = [e["payload"] for e in events if e["kind"] == "backup.restore.progress"]
    assert progress, kinds
    assert all(p["files_total"] == 12 and p["bytes_total"] == total_bytes for p in progress)
    done = [p["bytes"] for p in progress]
    assert done == sorted(done) and 0 < done[-1] <= total_bytes


def test_a_cancelled_restore_stops_keeps_whole_files_and_can_be_started_again(
    world: tuple[TestClient, dict[str, Any]],
) -> None:
    client, things = world
    gate = threading.Event()
    gated = _held(client, gate, hold_at=3)
    dest = f"restored-{uuid.uuid4().hex[:6]}"
    started = _start(client, things, dest)
    _wait(client, started["id"], lambda r: r["files"] == 2)
    cancel = client.post(f"/api/v1/backups/restores/{started['id']}/cancel")
    assert cancel.status_code == 202 and cancel.json()["cancel_requested"] is True
    cancelled = _wait(client, started["id"], lambda r: r["status"] != "running")
    assert cancelled["status"] == "cancelled" and cancelled["files"] == 2, cancelled
    assert "Start it again" in cancelled["message"]
    kept = _digests(client, things["bucket"]["id"], dest)
    assert sorted(kept) == sorted(gated.writes)  # whole files, nothing half-written
    again = client.post(f"/api/v1/backups/restores/{started['id']}/cancel")
    assert again.status_code == 400 and "nothing to cancel" in again.json()["message"]

    gate.set()
    restarted = client.post(f"/api/v1/backups/restores/{started['id']}/restart")
    assert restarted.status_code == 202, restarted.text
    assert restarted.json()["id"] != started["id"]
    finished = wait_for_restore(client, restarted.json()["id"])
    assert finished["status"] == "ok" and finished["files"] == 12, finished
    assert _digests(client, things["bucket"]["id"], dest) == _hashes(things["tree"])
    refused = client.post(f"/api/v1/backups/restores/{finished['id']}/restart")
    assert refused.status_code == 400 and "only an interrupted" in refused.json()["message"]


def test_a_restore_cut_by_a_server_stop_is_interrupted_and_starts_again(
    tmp_path: Path, rclone_s3: S3Server
) -> None:
    stopped = backups_app(tmp_path / "data")
    client = stopped.__enter__()
    things = _fill(client, tmp_path, rclone_s3)
    gate = threading.Event()
    _held(client, gate, hold_at=2)
    dest = f"restored-{uuid.uuid4().hex[:6]}"
    started = _start(client, things, dest)
    _wait(client, started["id"], lambda r: r["files"] == 1)
    stopped.__exit__(None, None, None)  # the server stops while the restore runs

    with backups_app(tmp_path / "data", fresh=False) as again:
        cut = again.get(f"/api/v1/backups/restores/{started['id']}").json()
        assert cut["status"] == "interrupted" and cut["files"] == 1, cut
        assert "Start it again" in cut["message"]
        restarted = again.post(f"/api/v1/backups/restores/{started['id']}/restart").json()
        finished = wait_for_restore(again, restarted["id"])
        assert finished["status"] == "ok" and finished["files"] == 12, finished
        assert _digests(again, things["bucket"]["id"], dest) == _hashes(things["tree"])


def test_a_path_missing_from_the_archive_fails_clearly(
    world: tuple[TestClient, dict[str, Any]],
) -> None:
    client, things = world
    started = _start(client, things, "nowhere", path="docs/not-there")
    failed = wait_for_restore(client, started["id"])
    assert failed["status"] == "failed" and "There is no docs/not-there" in failed["message"]
    unknown = client.post("/api/v1/backups/restores/999/cancel")
    assert unknown.status_code == 404
