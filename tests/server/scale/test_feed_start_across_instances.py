"""An instance that starts while others take changes begins its storage change feed where it
began to hear them (on a real Redis, then NATS): the token it gives at once is the others'
token, and it answers the changes after it, never "look at everything" for them.

The two instances are two apps on one data directory and bus, wired as ``syncoxide serve``
wires them, on SQLite and on PostgreSQL; the second is built first and started later, as a
process that spends a moment between building its app and serving it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.server.links.links_world import ROOT
from tests.server.signin import add_user, sign_in

pytestmark = pytest.mark.live

CHANGES = "/api/v1/storage/changes"


def _put(client: TestClient, path: str) -> None:
    stored = client.put("/api/v1/storage/content", params={"path": path}, content=b"x")
    assert stored.status_code in (200, 201), stored.text


def _changes(client: TestClient, **query: Any) -> dict[str, Any]:
    answer = client.get(CHANGES, params=query)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


@pytest.mark.both_databases
def test_an_instance_started_after_changes_elsewhere_starts_its_feed_there(
    tmp_path: Path, bus_url: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(f'[deployment]\nbus = "{bus_url}"\n')
    config = ServerConfig(data_dir=data, web_root=ROOT / "web")
    first = create_app(config)
    add_user(first, "alice")
    with TestClient(first) as one:
        one.headers["X-CSRF-Token"] = sign_in(one, "alice")
        second = create_app(config)  # built now, started below
        _put(one, "made/before-the-second-started.txt")
        with TestClient(second, cookies=one.cookies, headers=dict(one.headers)) as two:
            token = _changes(two)["token"]
            assert token == _changes(one)["token"]  # not the position it was built at
            _put(one, "made/after.txt")
            answer = _changes(two, since=token, wait=10)
            assert answer["paths"] == ["made/after.txt"]  # not [""]: look at everything
