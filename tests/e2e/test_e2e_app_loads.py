"""The app loads offline from its own server, shows its first screen and reports failures."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from syncoxide import __version__
from tests.conftest import LiveServer
from tests.e2e.python_snapshot import fresh_context

pytestmark = pytest.mark.e2e
READY_TIMEOUT_MS = 90_000


@pytest.fixture()
def page(browser: Browser, session_cookies: list[dict[str, Any]]) -> Page:
    context = fresh_context(browser)  # these tests are about the first visit
    context.add_cookies(session_cookies)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_app_becomes_ready_using_only_its_own_origin(page: Page, live_server: LiveServer) -> None:
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)

    assert requested, "the page made no requests"
    foreign = [url for url in requested if origin(url) != live_server.url]
    assert foreign == [], f"requests left the origin: {foreign}"
    assert any(url.endswith(".whl") for url in requested), "the core wheel was never loaded"
    assert problems == []
    assert page.evaluate("crossOriginIsolated") is True


def test_first_screen_shows_core_runtime_and_navigation(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    card = page.locator("#runtime-card")
    expect(card).to_contain_text(f"syncoxide {__version__}")
    expect(card).to_contain_text("Pyodide 314.")
    expect(card).to_contain_text("cpython 3.14")
    expect(page.locator("#runtime-badge")).to_contain_text("Python 3.14")
    expect(page.locator("#boot")).to_be_hidden()
    expect(page.locator("#browser-card li")).to_have_count(5)

    page.get_by_role("link", name="Sync", exact=True).first.click()
    expect(page.locator('section[data-view="sync"]')).to_be_visible()
    expect(page.locator('section[data-view="home"]')).to_be_hidden()
    expect(page.locator('#main-nav a[data-view="sync"]')).to_have_attribute("aria-current", "page")
    page.go_back()
    expect(page.locator('section[data-view="home"]')).to_be_visible()


def test_a_second_visit_starts_python_from_the_snapshot_the_first_stored(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    expect(page.locator("html")).to_have_attribute("data-python-start", "fresh")
    # Made by a worker once the page is ready and idle: a second interpreter starting.
    expect(page.locator("html")).to_have_attribute(
        "data-python-snapshot", "stored", timeout=3 * READY_TIMEOUT_MS
    )
    again = page.context.new_page()
    again.goto(f"{live_server.url}/#/sync")
    expect(again.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    expect(again.locator("html")).to_have_attribute("data-python-start", "snapshot")
    expect(again.locator("#runtime-card")).to_contain_text("cpython 3.14")
    # The restored Python works: it plans a sync between two (empty) browser folders.
    again.click("#sync-preview")
    expect(again.locator("#sync-plan")).to_have_text(
        "Nothing to do: the folders agree.", timeout=60_000
    )


def test_progress_is_visible_while_python_loads(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url, wait_until="commit")
    # Generous: on a loaded machine the page may take seconds just to be parsed.
    expect(page.locator("#boot-progress")).to_be_visible(timeout=30_000)
    expect(page.locator("#boot-stage")).not_to_be_empty()
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)


def test_a_failed_download_is_explained_on_the_page(page: Page, live_server: LiveServer) -> None:
    page.route("**/*.whl", lambda route: route.abort())
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("data-ready", "error", timeout=READY_TIMEOUT_MS)
    panel = page.locator("#boot-error")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("could not start")
    expect(page.locator("#boot-error-text")).not_to_be_empty()


def test_unknown_address_shows_the_not_found_page(page: Page, live_server: LiveServer) -> None:
    response = page.goto(f"{live_server.url}/no/such/page")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    expect(page.get_by_role("link", name="Go to the app")).to_be_visible()
