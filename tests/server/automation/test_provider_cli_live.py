"""``syncoxide automate add --connection NAME:FOLDER`` on a live ``syncoxide serve`` with a
WebDAV connection (wsgidav): the rule converts a photo put into the folder, ``list`` names
the connection, and a share that is not the user's is refused with the server's message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from PIL import Image

from tests.conftest import LiveServer, account_token, run_cli, start_live_server
from tests.server.automation.provider_world import (
    DAV_USER,
    OwnDav,
    first_look,
    jpeg,
    own_dav,
    wait_for,
)

pytestmark = pytest.mark.live


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = tmp_path / "settings.toml"
    settings.write_text("[automation]\npoll_seconds = 0.5\nquiet_seconds = 1\n")
    env = {"SYNCOXIDE_SETTINGS": str(settings), "SYNCOXIDE_CONNECTIONS_ALLOW": "127.0.0.0/8"}
    live = start_live_server(tmp_path / "data", env=env)
    yield live
    live.stop()


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as made:
        yield made


def test_a_connection_rule_made_with_the_cli(
    server: LiveServer, dav: OwnDav, tmp_path: Path
) -> None:
    token = account_token(server, "alice", tmp_path)
    client = httpx2.Client(base_url=f"{server.url}/api/v1", timeout=30,
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    options = {"url": dav.url, "username": DAV_USER, "password": dav.password}
    made = client.post("/connections", json={"name": "nas", "kind": "webdav", "options": options})
    assert made.status_code == 201, made.text
    login = ("--server", server.url, "--token", token)
    added = run_cli("automate", "add", "web", "--connection", "nas:/Camera/", "--match", "image",
                    "--to", "png", "--max-size", "200", *login)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "image in nas:Camera -> .png" in added.stdout
    listed = run_cli("automate", "list", *login)
    assert "web: image in nas:Camera" in listed.stdout, listed.stdout
    refused = run_cli("automate", "add", "x", "--share", "99", "--to", "pdf", *login)
    assert refused.returncode != 0 and "99" in refused.stderr, refused.stderr

    rule_id = int(added.stdout.split()[1])
    wait_for(lambda: first_look(client.get("/automation/rules").json(), rule_id), seconds=30)
    (dav.root / "Camera").mkdir(exist_ok=True)
    (dav.root / "Camera" / "cat.jpg").write_bytes(jpeg((800, 400)))
    result = wait_for(lambda: (dav.root / "Camera" / "cat.png").exists(), seconds=60)
    assert result
    with Image.open(dav.root / "Camera" / "cat.png") as image:
        assert image.size == (200, 100)
    runs = run_cli("automate", "runs", *login)
    assert "done" in runs.stdout and "cat.jpg -> cat.png" in runs.stdout, runs.stdout
