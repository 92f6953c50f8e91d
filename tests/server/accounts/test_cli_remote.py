"""The CLI against a live server: `login` through the browser, then `whoami` and `events`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from tests.conftest import PROJECT_ROOT, LiveServer, run_cli

PASSWORD = "cli test password"
CLI = [sys.executable, "-m", "syncoxide.cli.main"]


@pytest.fixture(scope="module")
def browser_cookie(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    password_file = tmp_path_factory.mktemp("cli") / "pw"
    password_file.write_text(PASSWORD + "\n")
    made = run_cli(
        "user", "add", "clio", "--password-file", password_file, "--data-dir", live_server.data_dir
    )
    assert made.returncode == 0, made.stderr
    response = httpx2.post(
        f"{live_server.url}/api/v1/session", json={"name": "clio", "password": PASSWORD}
    )
    return str(response.cookies["sxo_session"])


def approve(url: str, cookie: str, user_code: str) -> httpx2.Response:
    """What the signed-in browser does: open the page, type the terminal's code, press Allow."""
    with httpx2.Client(cookies={"sxo_session": cookie}, timeout=10) as browser:
        page = browser.get(url)
        assert page.status_code == 200 and "Sign in the command line?" in page.text
        assert 'id="cli-address">127.0.0.1<' in page.text
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        form = {"csrf": csrf, "user_code": user_code}
        return browser.post(url, data=form, follow_redirects=True)


def env_for(config_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCOXIDE_")}
    return {**env, "SYNCOXIDE_CONFIG_DIR": str(config_dir), "PYTHONUNBUFFERED": "1"}


def test_login_with_a_pasted_code_then_whoami_and_events(
    live_server: LiveServer, browser_cookie: str, tmp_path: Path
) -> None:
    env = env_for(tmp_path / "config")
    process = subprocess.Popen(
        [*CLI, "login", "--server", live_server.url, "--no-browser"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert process.stdout is not None and process.stdin is not None
    user_code = process.stdout.readline().strip().rsplit(" ", 1)[-1].rstrip(":")
    url = process.stdout.readline().strip()
    shown = approve(url, browser_cookie, user_code)
    code = shown.text.split('id="cli-code">', 1)[1].split("<", 1)[0]
    output, errors = process.communicate(code + "\n", timeout=60)
    assert process.returncode == 0, errors
    assert "Signed in to" in output and "as clio" in output
    saved = tmp_path / "config" / "credentials.json"
    assert saved.stat().st_mode & 0o777 == 0o600
    whoami = subprocess.run(
        [*CLI, "whoami"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60
    )
    assert whoami.stdout.startswith("clio "), whoami.stderr
    events = subprocess.run(
        [*CLI, "events"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60
    )
    assert '"kind": "token.created"' in events.stdout, events.stderr
    # A code works once only.
    replay = httpx2.post(
        f"{live_server.url}/api/v1/cli-login/token", json={"code": code, "verifier": "x" * 64}
    )
    assert replay.status_code == 400 and replay.json()["error"] == "code_rejected"


def test_login_through_the_loopback_redirect(
    live_server: LiveServer, browser_cookie: str, tmp_path: Path
) -> None:
    # The "browser" opens nothing: the test reads the code and address from the terminal.
    env = {**env_for(tmp_path / "config"), "BROWSER": "true %s"}
    process = subprocess.Popen(
        [*CLI, "login", "--server", live_server.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert process.stdout is not None
    user_code = process.stdout.readline().strip().rsplit(" ", 1)[-1]
    process.stdout.readline()
    url = process.stdout.readline().strip()
    approve(url, browser_cookie, user_code)
    output, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors
    assert "as clio" in output


def test_flags_and_environment_win_over_what_login_saved(
    live_server: LiveServer, tmp_path: Path
) -> None:
    env = {
        **env_for(tmp_path / "empty"),
        "SYNCOXIDE_SERVER": live_server.url,
        "SYNCOXIDE_TOKEN": "sxo_not_a_token",
    }
    refused = subprocess.run(
        [*CLI, "whoami"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60
    )
    assert refused.returncode == 1 and "refused the token" in refused.stderr
    nothing = subprocess.run(
        [*CLI, "whoami"],
        capture_output=True,
        text=True,
        env=env_for(tmp_path / "empty"),
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert nothing.returncode == 2 and "No server given" in nothing.stderr
