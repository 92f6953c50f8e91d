"""How current the index is, in Chromium against a live server: each place's state in the Files
view's search (never indexed, then indexed seconds ago after a refresh), and the staleness
setting in Settings, saved through the API and shown back in the Files view.

The connection is a real WebDAV server (wsgidav, the provider tests' fixture).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import signed_in_context
from tests.e2e.own_server import server_with_user
from tests.servers import DAV_PASSWORD, DAV_USER, WebDavServer

pytestmark = pytest.mark.e2e
USER, PASSWORD = "index-status-e2e", "index status e2e password"
APP_READY_MS = 90_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("index-status-e2e") / "data"
    with server_with_user(data, USER, PASSWORD) as live:
        yield live


@pytest.fixture(scope="module")
def api(server: LiveServer, wsgidav_server: WebDavServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        signed.raise_for_status()
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        (wsgidav_server.root / "index-status").mkdir(exist_ok=True)
        (wsgidav_server.root / "index-status" / "field notes.txt").write_bytes(b"notes")
        options = {"url": f"{wsgidav_server.url}/index-status", "username": DAV_USER,
                   "password": DAV_PASSWORD}  # fmt: skip
        made = client.post("/api/v1/connections",
                           json={"name": "nas", "kind": "webdav", "options": options})  # fmt: skip
        assert made.status_code == 201, made.text
        yield client


@pytest.fixture(scope="module")
def page(browser: Browser, server: LiveServer, api: httpx2.Client) -> Iterator[Page]:
    context = signed_in_context(browser, server.url, api.cookies)
    opened = context.new_page()
    opened.goto(f"{server.url}/#/files")
    expect(opened.locator("html")).to_have_attribute("data-ready", "1", timeout=APP_READY_MS)
    yield opened
    context.close()


def search_files(page: Page, words: str) -> None:
    page.goto(page.url.split("#")[0] + "#/files")
    page.fill("#files-query", words)
    page.click("#files-search")


def place(page: Page, name: str) -> Locator:
    return page.locator("#files-results .index-status li", has_text=f"{name}:")


def test_each_place_says_how_current_it_is_and_a_refresh_updates_it(page: Page) -> None:
    search_files(page, "field")
    expect(place(page, "This server")).to_have_text("This server: indexed as files are written")
    expect(place(page, "nas")).to_have_text("nas: never indexed (stale after 24 h)")
    note = page.locator("#files-results .index-coverage")
    expect(note).to_contain_text("Never read into the index: nas")

    note.get_by_role("button", name="Refresh the index").click()
    expect(note).to_have_count(0, timeout=60_000)
    just_read = re.compile(r"^nas: indexed (just now|\d+ s ago) \(stale after 24 h\)$")
    expect(place(page, "nas")).to_have_text(just_read, timeout=30_000)
    expect(page.locator("#files-results")).to_contain_text("field notes.txt")


def test_the_staleness_set_in_settings_is_kept_and_shown_in_files(
    page: Page, api: httpx2.Client
) -> None:
    page.goto(page.url.split("#")[0] + "#/settings")
    fields = page.locator("#staleness-list")
    expect(fields).to_contain_text("The server's default: 24 h.")
    every = fields.locator("input[data-source='']")
    nas = fields.locator("input[data-source='nas']")
    expect(nas).to_have_attribute("placeholder", "24")
    every.fill("2")
    nas.fill("0.5")
    page.click("#staleness-save")
    expect(page.locator("#staleness-status")).to_have_text("Saved 2 settings.")
    saved = api.get("/api/v1/catalog/staleness").json()
    assert saved["every_connection_hours"] == 2
    assert [(c["source"], c["hours"]) for c in saved["connections"]] == [("nas", 0.5)]
    expect(fields.locator("input[data-source='nas']")).to_have_attribute("data-was", "0.5")

    search_files(page, "field")
    expect(place(page, "nas")).to_contain_text("(stale after 0.5 h)")

    page.goto(page.url.split("#")[0] + "#/settings")
    page.locator("#staleness-list input[data-source='nas']").fill("")
    page.click("#staleness-save")
    expect(page.locator("#staleness-status")).to_have_text("Saved 1 setting.")
    kept = api.get("/api/v1/catalog/staleness").json()["connections"]
    assert [(c["source"], c["hours"], c["effective_hours"]) for c in kept] == [("nas", None, 2)]
