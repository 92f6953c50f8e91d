"""On PostgreSQL every instance signs with the deployment's one key, whatever its own data
directory holds: a ticket or unlock cookie from one host verifies on any other."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest

from syncoxide.server.config import ServerConfig
from syncoxide.server.services import signing_key_of
from syncoxide.server.signing import KEY_BYTES, SigningKey
from syncoxide.server.storage.postgres import migrate_postgres
from tests.server.scale.services import Postgres

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parents[3]


def _key_of(data_dir: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv("SYNCOXIDE_DATABASE", url)
    config = ServerConfig(data_dir=data_dir, web_root=ROOT / "web")
    data_dir.mkdir(parents=True, exist_ok=True)
    return signing_key_of(config, config.deployment().database)


def test_instances_with_their_own_data_directories_share_one_key(
    postgres: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres.create_database("shared_key_fresh")
    asyncio.run(migrate_postgres(url))
    first = _key_of(tmp_path / "host-a", url, monkeypatch)
    second = _key_of(tmp_path / "host-b", url, monkeypatch)
    assert first == second and len(first) == KEY_BYTES
    # Nothing secret is left in either data directory: the database holds the key.
    assert not (tmp_path / "host-a" / "signing.key").exists()
    ticket = SigningKey(first).issue("download", ("link",), now=1_000)
    assert SigningKey(second).check(ticket, "download", ("link",), now=1_001, lifetime=60)


def test_a_moved_servers_key_file_becomes_the_deployments_key(
    postgres: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres.create_database("shared_key_moved")
    asyncio.run(migrate_postgres(url))
    moved = secrets.token_bytes(KEY_BYTES)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "signing.key").write_bytes(moved)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "signing.key").write_bytes(secrets.token_bytes(KEY_BYTES))
    assert _key_of(tmp_path / "old", url, monkeypatch) == moved
    # Another host's stale key file does not split the deployment: the stored key wins.
    assert _key_of(tmp_path / "other", url, monkeypatch) == moved
