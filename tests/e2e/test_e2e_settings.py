"""The Settings view in Chromium: the account, devices and tokens, connected providers, the
password, the theme, and signing out of every browser.

Users of their own (made as the README says, `syncoxide user add`): changing a password or
signing out everywhere must not end the sessions the other browser tests share.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from tests.conftest import PROJECT_ROOT, LiveServer
from tests.e2e.held_wheel import HeldWheel

pytestmark = pytest.mark.e2e
PASSWORD = "settings password 1"
READY_TIMEOUT_MS = 90_000


@pytest.fixture()
def new_user(live_server: LiveServer, tmp_path: Path) -> Callable[[str], httpx2.Client]:
    """Makes a user with the CLI and returns an API client signed in as them."""
    clients: list[httpx2.Client] = []

    def make(name: str) -> httpx2.Client:
        secret = tmp_path / f"{name}.password"
        secret.write_text(PASSWORD + "\n")
        command = ["user", "add", name, "--password-file", str(secret)]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "syncoxide.cli.main",
                *command,
                "--data-dir",
                str(live_server.data_dir),
            ],
            check=True,
            cwd=PROJECT_ROOT,
            capture_output=True,
            timeout=60,
        )
        client = httpx2.Client(base_url=live_server.url, timeout=30)
        signed = client.post("/api/v1/session", json={"name": name, "password": PASSWORD})
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        clients.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in clients:
        client.close()


def browser_as(browser: Browser, live_server: LiveServer, client: httpx2.Client) -> BrowserContext:
    """A browser context holding ``client``'s session."""
    context = browser.new_context()
    context.add_cookies(
        [{"name": n, "value": v, "url": live_server.url} for n, v in client.cookies.items()]
    )
    return context


@pytest.fixture()
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def test_settings_lists_devices_and_providers_revokes_a_device_and_changes_the_password(
    browser: Browser,
    live_server: LiveServer,
    new_user: Callable[[str], httpx2.Client],
    contexts: list[BrowserContext],
) -> None:
    owner = new_user("settings")
    token = owner.post("/api/v1/tokens", json={"label": "laptop"}).json()["token"]
    made = owner.post(
        "/api/v1/connections", json={"name": "my files", "kind": "home", "options": {}}
    )
    assert made.status_code == 201, made.text
    contexts.append(browser_as(browser, live_server, owner))
    page = contexts[0].new_page()
    page.goto(f"{live_server.url}/#/settings")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    account = page.locator("#settings-account")
    expect(account).to_contain_text("settings")
    devices = page.locator("#devices-list")
    expect(devices.locator("tbody tr")).to_have_count(1, timeout=30_000)
    expect(devices).to_contain_text("laptop")
    expect(page.locator("#settings-connections-list")).to_contain_text("my files", timeout=30_000)
    asked: list[str] = []

    def answer_yes(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer_yes)
    # A click beside the buttons finds no data-revoke (JS null in Python): nothing is asked.
    devices.locator("tbody tr td").first.click()
    page.get_by_role("button", name="Revoke laptop").click()
    expect(page.locator("#devices-status")).to_have_text(re.compile("Revoked laptop"))
    assert asked == ["Revoke laptop? That device is signed out at once."]
    expect(page.locator("#devices-status")).to_be_focused()  # not lost with the row
    expect(devices).to_contain_text("No device or token is signed in")
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx2.get(f"{live_server.url}/api/v1/me", headers=bearer).status_code == 401

    page.get_by_label("Current password").fill("not the password")
    page.get_by_label("New password").fill("a brand new one")
    page.get_by_role("button", name="Change password").click()
    status = page.locator("#password-status")
    expect(status).to_contain_text("The password was not changed")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(status).to_have_text("Password changed. Your other browsers were signed out.")
    signed = httpx2.post(
        f"{live_server.url}/api/v1/session",
        json={"name": "settings", "password": "a brand new one"},
    )
    assert signed.status_code == 200


def test_the_theme_chosen_applies_at_once_and_on_the_next_visit(
    browser: Browser, live_server: LiveServer, session_cookies: list[Any]
) -> None:
    context = browser.new_context(color_scheme="light")
    context.add_cookies(session_cookies)
    page = context.new_page()
    HeldWheel(page)  # the theme needs no Python
    page.goto(f"{live_server.url}/#/settings")
    light = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.get_by_label("Dark").check()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert (light, dark) == ("rgb(246, 247, 245)", "rgb(20, 25, 23)")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_label("Dark")).to_be_checked()
    page.get_by_label("As the system").check()
    expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile("."))
    context.close()


def test_sign_out_everywhere_ends_every_browser_before_python_is_even_running(
    browser: Browser,
    live_server: LiveServer,
    new_user: Callable[[str], httpx2.Client],
    contexts: list[BrowserContext],
) -> None:
    owner = new_user("settings-out")
    here = browser_as(browser, live_server, owner)
    other = new_user("settings-out-2")  # a second user, to show only this account is touched
    second_login = httpx2.Client(base_url=live_server.url, timeout=30)
    second_login.post("/api/v1/session", json={"name": "settings-out", "password": PASSWORD})
    there = browser_as(browser, live_server, second_login)
    contexts.extend([here, there])
    page: Page = here.new_page()
    HeldWheel(page)
    page.goto(f"{live_server.url}/#/settings")
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(re.compile("/login"))
    elsewhere = there.new_page()
    elsewhere.goto(f"{live_server.url}/")
    expect(elsewhere).to_have_url(re.compile("/login"))
    assert other.get("/api/v1/me").status_code == 200
    second_login.close()
