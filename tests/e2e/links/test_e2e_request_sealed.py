"""An end-to-end encrypted request link in Chromium: the owner's CLI makes the key, a stranger's
page seals a folder tree (resuming a cut upload after a reload), the CLI pulls and opens it, and
the server's storage never held a name or a byte of plaintext."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import PROJECT_ROOT, LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture()
def stranger(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_a_sealed_folder_tree_reaches_the_owner_and_only_ciphertext_is_stored(
    stranger: Page, live_server: LiveServer, e2e_user: str, tmp_path: Path
) -> None:
    data_dir = str(live_server.data_dir)
    token = _cli("token", "create", "--user", e2e_user, "--data-dir", data_dir, env={}).strip()
    env = {"SYNCOXIDE_CONFIG_DIR": str(tmp_path / "config"), "SYNCOXIDE_PASSWORD": ""}
    server = ["--server", live_server.url, "--token", token]
    link = _cli("request", "create", "--title", "Sealed drop", "--encrypt", *server, env=env)
    link = link.strip()

    marker = secrets.token_hex(8)
    folder = tmp_path / f"Payroll-{marker}"
    (folder / "Q3 reports").mkdir(parents=True)
    tree = {
        f"salaries-{marker}.csv": f"name,salary\nAda-{marker},100\n".encode() * 2000,
        "Q3 reports/scan.bin": os.urandom(9_000_000),  # two PATCHes: the second one is cut
        "Q3 reports/empty.txt": b"",
    }
    for name, data in tree.items():
        (folder / name).write_bytes(data)

    def cut_second_patch(route: Route) -> None:
        request = route.request
        if request.method == "PATCH" and request.headers["upload-offset"] != "0":
            route.abort()
        else:
            route.continue_()

    problems: list[str] = []  # the cut PATCH itself logs net::ERR_FAILED: that one is expected
    stranger.on(
        "console",
        lambda m: m.type == "error" and "ERR_FAILED" not in m.text and problems.append(m.text),
    )
    stranger.route("**/api/v1/drop/**", cut_second_patch)
    stranger.goto(link)
    expect(stranger.locator("#sealed-note")).to_be_visible()
    stranger.set_input_files("#pick-folder", str(folder))
    expect(stranger.locator("#uploads li[data-done]")).to_have_count(2, timeout=60_000)
    expect(stranger.locator("#uploads li[data-failed]")).to_have_count(1, timeout=60_000)
    stranger.unroute("**/api/v1/drop/**")
    stranger.reload()
    methods: list[str] = []
    stranger.on("request", lambda r: "/api/v1/drop/" in r.url and methods.append(r.method))
    stranger.set_input_files("#pick-folder", str(folder))
    expect(stranger.locator("#uploads li[data-done]")).to_have_count(3, timeout=60_000)
    assert methods.count("HEAD") == 1  # the cut file resumed where the server stood

    pulled = tmp_path / "pulled"
    _cli("request", "pull", link.rsplit("/", 1)[-1], str(pulled), *server, env=env)
    sent = {f"{folder.name}/{name}": hashlib.sha256(d).hexdigest() for name, d in tree.items()}
    assert _tree_hashes(pulled) == sent

    stored = b"".join(p.read_bytes() for p in live_server.data_dir.rglob("*") if p.is_file())
    assert marker.encode() not in stored  # in every name and in the csv's content
    assert b"Q3 reports" not in stored and b"scan.bin" not in stored
    assert tree["Q3 reports/scan.bin"][1000:1064] not in stored
    assert problems == []
