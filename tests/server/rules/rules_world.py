"""Helpers for the sync-rule tests: an app with its scheduler running, and a signed-in client."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.server.signin import add_user, sign_in

ROOT = Path(__file__).resolve().parents[3]
FINISHED = {"ok", "partial", "failed", "reconnect", "idle"}


@contextmanager
def rules_client(
    data_dir: Path, user: str = "alice", new_user: bool = True
) -> Iterator[TestClient]:
    """A client signed in as ``user``, inside the app's lifespan (so rules run on schedule)."""
    app = create_app(ServerConfig(data_dir=data_dir, web_root=ROOT / "web"))
    if new_user:
        add_user(app, user)
    with TestClient(app) as client:
        client.headers["X-CSRF-Token"] = sign_in(client, user)
        yield client


def connect(client: TestClient, name: str, kind: str, **options: str) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/connections", json={"name": name, "kind": kind, "options": options}
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def wait_for_runs(
    client: TestClient, rule_id: int, count: int, timeout: float = 60
) -> dict[str, Any]:
    """The rule once ``count`` of its runs have finished (the newest run first in ``runs``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rule = client.get(f"/api/v1/rules/{rule_id}").json()
        done = [r for r in rule["runs"] if r["finished_at"] is not None]
        if len(done) >= count and rule["status"] != "running":
            return dict(rule)
        time.sleep(0.2)
    raise AssertionError(f"rule {rule_id} did not finish {count} runs in {timeout}s: {rule}")


async def file_digests(provider: Any) -> dict[str, str]:
    """SHA-256 of every file a provider lists (our own state files left out); closes it."""
    found: dict[str, str] = {}
    try:
        async for page in provider.list_tree():
            for entry in page:
                if entry.kind.value == "file" and not entry.path.startswith(".syncoxide"):
                    digest = hashlib.sha256()
                    async for chunk in provider.open_read(entry.path):
                        digest.update(chunk)
                    found[entry.path] = digest.hexdigest()
    finally:
        await provider.aclose()
    return found
