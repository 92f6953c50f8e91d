"""A newcomer's path in a real browser: sign in, land on home, make a token, sign out."""

from __future__ import annotations

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import E2E_PASSWORD

pytestmark = pytest.mark.e2e
READY_TIMEOUT_MS = 90_000


@pytest.fixture()
def page(browser: Browser) -> Page:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_sign_in_home_token_sign_out(page: Page, live_server: LiveServer, e2e_user: str) -> None:
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill(e2e_user)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong")
    page.get_by_label("User name").fill(e2e_user)
    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The first screen after signing in is the user's home in the app, and it is ready.
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    expect(page.locator("#signed-in-as")).to_have_text(e2e_user)
    expect(page.locator('section[data-view="home"]')).to_be_visible()
    assert page.evaluate("crossOriginIsolated") is True

    page.locator("#signed-in-as").click()
    page.get_by_label("Label").fill("my laptop")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    me = httpx2.get(
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert me.json()["user"]["name"] == e2e_user

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/account")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert [p for p in problems if "Content Security Policy" in p] == []
