"""The app's Files view shows your own files on the server, and connects them for rules.

In Chromium, signed in: a file put into your storage through the API is found by the Files
view's search (from the index) under "This server", and its path opens its folder in All files;
connecting "Your files on this server" from the form does not list it twice.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import E2E_PASSWORD, signed_in_view

pytestmark = pytest.mark.e2e
NAME = "storage-e2e/holiday-plan.txt"


def _store_a_file(live_server: LiveServer, user: str) -> None:
    with httpx2.Client(base_url=live_server.url, timeout=30) as client:
        signed_in = client.post("/api/v1/session", json={"name": user, "password": E2E_PASSWORD})
        csrf = signed_in.json()["csrf_token"]
        stored = client.put(
            "/api/v1/storage/content",
            params={"path": NAME},
            content=b"beach, then mountains",
            headers={"X-CSRF-Token": csrf},
        )
        assert stored.status_code == 200, stored.text


def test_files_view_lists_and_connects_your_own_files(
    browser: Browser,
    live_server: LiveServer,
    e2e_user: str,
    session_cookies: list[dict[str, Any]],
) -> None:
    _store_a_file(live_server, e2e_user)
    with signed_in_view(browser, live_server, session_cookies, "files") as page:
        page.fill("#files-query", "holiday-plan")
        page.click("#files-search")
        results = page.locator("#files-results")
        row = results.locator("tr", has_text=NAME)
        expect(row).to_contain_text("This server")
        expect(results.locator(".index-coverage")).to_have_count(0)  # no connection to miss

        page.select_option("#connect-kind", "home")
        page.fill("#connect-name", "my-server-files")
        page.click("#connect-submit")
        expect(page.locator("#connect-status")).to_contain_text("Connected my-server-files")
        page.click("#files-search")
        expect(results.locator("tbody tr")).to_have_count(1)  # the same storage, indexed once
        expect(results.locator(".index-coverage")).to_have_count(0)

        results.locator("button[data-folder]", has_text=NAME).click()
        expect(page).to_have_url(re.compile(r"#/all$"))
        expect(page.locator("#all-crumbs")).to_contain_text("storage-e2e")
        expect(page.locator("#all-results")).to_contain_text("holiday-plan.txt")
