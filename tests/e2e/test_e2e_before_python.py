"""The app is usable before Python runs: views and navigation at once, actions that wait.

The core wheel is held back (its request is answered only when the test says so), so these
steps happen while Python is certainly not running yet, however fast the machine is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.e2e.held_wheel import HeldWheel

pytestmark = pytest.mark.e2e
READY_TIMEOUT_MS = 90_000


@pytest.fixture()
def page(browser: Browser, session_cookies: list[dict[str, Any]]) -> Iterator[Page]:
    context = browser.new_context()
    context.add_cookies(session_cookies)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


def test_views_and_navigation_work_while_python_is_held_back(
    page: Page, live_server: LiveServer
) -> None:
    held = HeldWheel(page)
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Welcome to syncoxide")).to_be_visible()
    expect(page.locator("#boot")).to_be_visible()
    page.get_by_role("link", name="Send", exact=True).first.click()
    expect(page.get_by_role("heading", name="Send", exact=True)).to_be_visible()
    expect(page.locator('#main-nav a[data-view="send"]')).to_have_attribute("aria-current", "page")
    expect(page.locator('section[data-view="home"]')).to_be_hidden()
    page.get_by_role("link", name="Vault", exact=True).first.click()
    expect(page.locator('section[data-view="vault"]')).to_be_visible()
    assert page.locator("html").get_attribute("data-ready") == "0"
    held.release(page)
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    expect(page.locator('section[data-view="vault"]')).to_be_visible()
    expect(page.locator("#boot")).to_be_hidden()


def test_an_action_asked_for_before_python_waits_then_runs(
    page: Page, live_server: LiveServer
) -> None:
    held = HeldWheel(page)
    page.goto(f"{live_server.url}/#/send")
    page.locator("#send-files").set_input_files(
        [{"name": "early.txt", "mimeType": "text/plain", "buffer": b"picked before Python"}]
    )
    start = page.locator("#send-start")
    start.click()
    expect(start).to_have_attribute("data-waiting", "")
    expect(page.locator("#boot-waiting")).to_contain_text("“Send” will run as soon as")
    assert page.locator("html").get_attribute("data-ready") == "0"
    held.release(page)
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    # The file picked early reached Python, then the Send pressed early ran with it.
    expect(page.locator("#send-picked")).to_contain_text("early.txt")
    expect(page.locator("#send-link")).to_have_attribute("href", re.compile("/p/"), timeout=30_000)
    expect(start).not_to_have_attribute("data-waiting", "")
    expect(page.locator("#boot-waiting")).to_be_hidden()
