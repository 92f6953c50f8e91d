"""The server through a real uvicorn process started by the CLI, as a user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from syncoxide import __version__
from tests.conftest import PROJECT_ROOT, LiveServer, free_port, run_cli, start_live_server

pytestmark = pytest.mark.live


def test_healthz_and_app_over_a_real_socket(live_server: LiveServer) -> None:
    health = httpx2.get(f"{live_server.url}/healthz", timeout=5)
    assert health.json()["version"] == __version__
    page = httpx2.get(live_server.url, timeout=5, follow_redirects=True)
    assert page.status_code == 200 and "Sign in" in page.text
    assert page.headers["cross-origin-embedder-policy"] == "require-corp"


def test_a_user_made_by_the_cli_signs_in_and_gets_a_token(
    live_server: LiveServer, tmp_path: Path
) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("live server password\n")
    data = ("--data-dir", live_server.data_dir)
    made = run_cli("user", "add", "livia", "--password-file", password_file, *data)
    assert made.returncode == 0, made.stderr
    token = run_cli("token", "create", "--user", "livia", *data).stdout.strip()
    me = httpx2.get(
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert me.json()["user"]["name"] == "livia"
    with httpx2.Client(base_url=live_server.url, timeout=5) as browser:
        signed = browser.post(
            "/api/v1/session", json={"name": "livia", "password": "live server password"}
        )
        assert signed.status_code == 200
        home = browser.get("/")
        assert home.status_code == 200 and 'id="signed-in-as"' in home.text
        assert "default-src 'self'" in home.headers["content-security-policy"]


def test_first_run_creates_the_data_dir(live_server: LiveServer) -> None:
    assert (live_server.data_dir / "syncoxide.sqlite3").is_file()
    assert (live_server.data_dir / "blobs").is_dir()


def test_ctrl_c_stops_cleanly_and_the_url_was_printed(tmp_path: Path) -> None:
    server = start_live_server(tmp_path / "data")
    code, output = server.stop()
    assert code == 0, output
    assert f"syncoxide is starting at {server.url}/" in output
    assert "syncoxide stopped." in output
    assert "Traceback" not in output


def test_a_busy_port_is_reported_not_hidden(live_server: LiveServer, tmp_path: Path) -> None:
    port = live_server.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "syncoxide.cli.main",
            "serve",
            "--port",
            port,
            "--data-dir",
            str(tmp_path / "data"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "address already in use" in (result.stdout + result.stderr).lower()


def test_bad_port_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "syncoxide.cli.main",
            "serve",
            "--port",
            "70000",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "not a TCP port" in result.stderr
    assert free_port() > 0
