"""``syncoxide serve`` with every store on a throwaway PostgreSQL: a user made by the CLI signs
in, uploads, finds the file by the catalog's word search and shares it; nothing of it lands
in the data directory's SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx2
import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, start_live_server
from tests.server.links.links_world import metadata
from tests.server.scale.services import Postgres

pytestmark = pytest.mark.live
PASSWORD = "postgres serve password"
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def served(tmp_path: Path, postgres: Postgres) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    env = {"SYNCOXIDE_DATABASE": postgres.create_database("serve_live")}
    server = start_live_server(tmp_path / "data", env=env)  # migrates PostgreSQL first
    try:
        yield server, env
    finally:
        code, output = server.stop()
    assert code == 0 and "Traceback" not in output, output


def _cli(data_dir: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT,
        env={**os.environ, **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_sign_in_upload_search_and_share_with_every_store_on_postgresql(
    served: tuple[LiveServer, dict[str, str]], tmp_path: Path
) -> None:
    server, env = served
    (tmp_path / "password").write_text(PASSWORD + "\n")
    _cli(server.data_dir, env, "user", "add", "pia", "--password-file", str(tmp_path / "password"))
    with httpx2.Client(base_url=server.url, timeout=30) as browser:
        signed = browser.post("/api/v1/session", json={"name": "pia", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        browser.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        assert browser.get("/api/v1/me").json()["user"]["name"] == "pia"

        stored = browser.put(
            "/api/v1/storage/content", params={"path": "trips/Été plage.txt"}, content=b"sun"
        )
        assert stored.status_code == 200, stored.text
        for query, paths in (
            ("plage", ["trips/Été plage.txt"]),
            ("ete pla", ["trips/Été plage.txt"]),
            ("trips ext:txt", ["trips/Été plage.txt"]),
            ("plage -trips", []),
        ):
            found = browser.get("/api/v1/catalog/search", params={"q": query})
            assert found.status_code == 200, found.text
            assert [e["path"] for e in found.json()["entries"]] == paths, query

        share = browser.post("/api/v1/shares", json={"title": "Beach"})
        assert share.status_code == 201, share.text
        made = browser.post(
            "/api/v1/uploads/",
            headers={**TUS, "Upload-Length": "5",
                     "Upload-Metadata": metadata(share=share.json()["id"], path="hello.txt")},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        patched = browser.patch(
            urljoin(server.url, made.headers["location"]),
            content=b"hello",
            headers={**TUS, "Upload-Offset": "0",
                     "Content-Type": "application/offset+octet-stream"},
        )  # fmt: skip
        assert patched.status_code == 204, patched.text
        described = browser.get(f"/api/v1/shares/{share.json()['id']}").json()
    [shared] = described["files"]
    assert httpx2.get(urljoin(server.url, shared["download_url"]), timeout=30).content == b"hello"

    embedded = sqlite3.connect(server.data_dir / "syncoxide.sqlite3")
    for table in ("users", "catalog_entries", "links", "stored_files"):
        assert embedded.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
    embedded.close()
