"""Two accounts in two browser contexts: A shares a folder of its storage with B in the app,
B's page shows the invitation live under Shared with me, B accepts, A's page shows the answer
live, and the folder's file arrives in B's storage with no client running."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import PROJECT_ROOT, LiveServer, run_cli
from tests.e2e.conftest import signed_in_view

pytestmark = pytest.mark.e2e
PASSWORD = "bee password 123"


def _account(live_server: LiveServer, name: str, scratch: Path) -> list[Any]:
    password = scratch / f"{name}-password"
    password.write_text(PASSWORD + "\n")
    subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", "user", "add", name,
         "--password-file", str(password), "--data-dir", str(live_server.data_dir)],
        check=True, cwd=PROJECT_ROOT, capture_output=True, timeout=60,
    )  # fmt: skip
    signed = httpx2.post(
        f"{live_server.url}/api/v1/session", json={"name": name, "password": PASSWORD}, timeout=10
    )
    signed.raise_for_status()
    return [{"name": k, "value": v, "url": live_server.url} for k, v in signed.cookies.items()]


def _token(live_server: LiveServer, name: str) -> str:
    made = run_cli("token", "create", "--user", name, "--data-dir", live_server.data_dir)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def test_a_invites_b_accepts_and_b_sees_it_under_shared_with_me(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    owner, guest = f"ann{suffix}", f"bee{suffix}"
    owner_cookies = _account(live_server, owner, tmp_path)
    guest_cookies = _account(live_server, guest, tmp_path)
    owner_api = httpx2.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {_token(live_server, owner)}"}
    )
    put = owner_api.put(
        "/api/v1/storage/content", params={"path": "garden/plan.txt"}, content=b"plant beans"
    )
    assert put.status_code == 200, put.text

    with (
        signed_in_view(browser, live_server, owner_cookies, "shares") as a,
        signed_in_view(browser, live_server, guest_cookies, "shares") as b,
    ):
        expect(b.locator("#acct-with-me")).to_contain_text("None yet", timeout=30_000)
        a.fill("#acct-to", "nobody-here")
        a.fill("#acct-place", "home:garden")
        a.click("#acct-invite")
        expect(a.locator("#acct-status")).to_contain_text("No account", timeout=30_000)
        a.fill("#acct-to", guest)
        a.check("#acct-read-only")
        a.click("#acct-invite")
        expect(a.locator("#acct-status")).to_contain_text(f"Invited {guest}", timeout=30_000)

        row = b.locator("#acct-with-me li", has_text="garden")
        expect(row).to_contain_text(f"from {owner}", timeout=30_000)  # live, no reload
        expect(row).to_contain_text("read-only · invited")
        b.fill("#acct-accept-place", "home:from-ann")
        row.get_by_role("button", name="Accept").click()
        expect(row).to_contain_text("accepted", timeout=30_000)
        expect(row).to_contain_text("home:from-ann")
        mine = a.locator("#acct-mine li", has_text="garden")
        expect(mine).to_contain_text("accepted", timeout=30_000)  # told live

    guest_api = httpx2.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {_token(live_server, guest)}"}
    )
    deadline = time.monotonic() + 30
    got = None
    while time.monotonic() < deadline:
        got = guest_api.get("/api/v1/storage/content", params={"path": "from-ann/plan.txt"})
        if got.status_code == 200:
            break
        time.sleep(0.3)
    assert got is not None and got.status_code == 200 and got.content == b"plant beans"
    refused = guest_api.put(
        "/api/v1/storage/content", params={"path": "from-ann/plan.txt"}, content=b"weeds"
    )
    assert refused.status_code == 403
