"""The server purges trash and versions past their retention by itself, on a schedule.

A live ``syncoxide serve`` with a 3-second retention and a sweep every 0.3 s: a deleted file
and an overwritten file's old version are in the database (and their blobs on disk) at first,
and gone a few seconds later, although nobody read the trash or the versions (reading them
applies retention too, so this test only looks at the database and the blob folder).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import LiveServer, run_cli, start_live_server
from tests.server.databases import database_of

pytestmark = pytest.mark.live  # starts real servers

USER, PASSWORD = "sweep", "sweep password 123"
RETENTION_SECONDS = 3


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[LiveServer]:
    data = tmp_path / "data"
    (tmp_path / "password").write_text(PASSWORD + "\n")
    made = run_cli(
        "user", "add", USER, "--password-file", tmp_path / "password", "--data-dir", data
    )
    assert made.returncode == 0, made.stderr
    days = RETENTION_SECONDS / 86_400
    (tmp_path / "settings.toml").write_text(
        f"[retention]\ntrash_days = {days}\nversions_days = {days}\nsweep_every_seconds = 0.3\n"
    )
    live = start_live_server(data, env={"SYNCOXIDE_SETTINGS": str(tmp_path / "settings.toml")})
    yield live
    _code, output = live.stop()
    assert "Traceback" not in output, output[-4000:]


def kept_rows(data: Path) -> list[tuple[str, str]]:
    database = database_of(data)
    try:
        return sorted(database.execute("SELECT state, path FROM file_history").rows)
    finally:
        database.close()


def test_trash_and_old_versions_are_purged_on_schedule(server: LiveServer) -> None:
    with httpx2.Client(base_url=server.url, timeout=30) as api:
        signed = api.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        api.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        for path, content in (("a.txt", b"first"), ("a.txt", b"second"), ("b.txt", b"bye")):
            put = api.put("/api/v1/storage/content", params={"path": path}, content=content)
            assert put.status_code == 200, put.text
        assert api.delete("/api/v1/storage", params={"path": "b.txt"}).status_code == 204
        written = time.monotonic()
        assert kept_rows(server.data_dir) == [("trash", "b.txt"), ("version", "a.txt")]

        deadline = written + RETENTION_SECONDS + 10
        while kept_rows(server.data_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert kept_rows(server.data_dir) == []
        assert time.monotonic() - written >= RETENTION_SECONDS - 0.5  # not before its time
        current = api.get("/api/v1/storage/content", params={"path": "a.txt"})
        assert current.content == b"second"  # the live file is never retention's business
