"""A live server with one user, shared by the Photos and Automation views' tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, start_live_server

USER, PASSWORD = "photos-e2e", "photos e2e password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("photos-e2e") / "data"
    password = data.parent / "password"
    password.write_text(PASSWORD + "\n")
    add = [sys.executable, "-m", "syncoxide.cli.main", "user", "add", USER]
    subprocess.run([*add, "--password-file", str(password), "--data-dir", str(data)],
                   check=True, cwd=PROJECT_ROOT, capture_output=True, timeout=60)  # fmt: skip
    # Connections to the tests' own servers on loopback, as an operator would allow them.
    live = start_live_server(data, env={"SYNCOXIDE_CONNECTIONS_ALLOW": "127.0.0.0/8"})
    yield live
    _code, output = live.stop()
    assert "Traceback" not in output, output[-4000:]


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx2.Client]:
    """The user's API client: session cookie and CSRF header."""
    with httpx2.Client(base_url=server.url, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        yield client
