"""Helpers for the backup API tests: an app whose hosted area and borg state sit in tmp_path."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.server.signin import add_user, sign_in

ROOT = Path(__file__).resolve().parents[3]
PASSPHRASE = "backup passphrase 42"
FINISHED = {"ok", "failed", "reconnect", "idle"}


@contextmanager
def backups_app(
    data_dir: Path, users: tuple[str, ...] = ("alice",), *, fresh: bool = True
) -> Iterator[TestClient]:
    """Clients for ``users`` (the first one returned; others in ``client.others``), in the
    app's lifespan so backup rules run on schedule. ``fresh=False``: the same data directory
    again, as a restarted server (the users are there already)."""
    app = create_app(ServerConfig(data_dir=data_dir, web_root=ROOT / "web"))
    for user in users if fresh else ():
        add_user(app, user)
    with TestClient(app) as client:
        client.headers["X-CSRF-Token"] = sign_in(client, users[0])
        yield client


def other_client(client: TestClient, user: str) -> TestClient:
    other = TestClient(client.app)
    other.headers["X-CSRF-Token"] = sign_in(other, user)
    return other


def make_tree(root: Path, files: int = 40, seed: int = 3) -> dict[str, bytes]:
    chance = random.Random(seed)
    tree: dict[str, bytes] = {}
    for number in range(files):
        relative = f"docs/sub{number % 3}/f{number}.bin"
        tree[relative] = chance.randbytes(chance.randint(0, 40_000))
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(tree[relative])
    return tree


def back_up_from_a_client(area: Path, name: str, source_root: Path, archive: str) -> None:
    """An archive made as a user's machine makes it (plain borg over the repository path)."""
    settings = BorgSettings(PASSPHRASE, base_dir=source_root.parent / "client-borg")
    repository = BorgRepository(str(area / name), settings)
    asyncio.run(repository.create(archive, ["docs"], cwd=source_root))


def wait_for_rule(client: TestClient, rule_id: int, runs: int, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    rule: Any = None
    while time.monotonic() < deadline:
        rule = client.get(f"/api/v1/backups/rules/{rule_id}").json()
        done = [r for r in rule["runs"] if r["finished_at"] is not None]
        if len(done) >= runs and rule["status"] != "running":
            return rule
        time.sleep(0.2)
    raise AssertionError(f"backup rule {rule_id} did not finish {runs} runs: {rule}")


def wait_for_restore(client: TestClient, restore_id: int, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = client.get("/api/v1/backups/restores").json()["restores"]
        restore = next(r for r in found if r["id"] == restore_id)
        if restore["status"] != "running":
            return restore
        time.sleep(0.2)
    raise AssertionError(f"restore {restore_id} did not finish")
