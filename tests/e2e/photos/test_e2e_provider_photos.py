"""The Photos view in Chromium with a WebDAV connection (wsgidav, a real server): after
"Look in my connections again" the connection's photo shows on its day, named by the
connection, with its thumbnail fetched through the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import signed_in_context
from tests.server.automation.provider_world import DAV_USER, OwnDav, own_dav
from tests.server.photos.test_photos_api import jpeg, picture

pytestmark = pytest.mark.e2e


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as made:
        yield made


def test_a_connections_photo_joins_the_timeline(
    browser: Browser, server: LiveServer, api: httpx2.Client, dav: OwnDav
) -> None:
    (dav.root / "Phone").mkdir()
    (dav.root / "Phone" / "lake.jpg").write_bytes(jpeg(picture(9), "2019:08:03 12:00:00"))
    options = {"url": dav.url, "username": DAV_USER, "password": dav.password}
    made = api.post("/api/v1/connections", json={"name": "phone-dav", "kind": "webdav",
                                                 "options": options})  # fmt: skip
    assert made.status_code == 201, made.text
    context = signed_in_context(browser, server.url, api.cookies)
    page = context.new_page()
    page.goto(f"{server.url}/#/photos")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    timeline = page.locator("#photos-timeline")
    expect(timeline).not_to_contain_text("Loading", timeout=30_000)
    expect(timeline).not_to_contain_text("lake.jpg")  # not in the index yet
    page.click("#photos-look-again")
    expect(page.locator("#photos-status")).to_contain_text("Up to date", timeout=30_000)
    lake = timeline.locator('figure[data-source="phone-dav"]')
    expect(lake).to_contain_text("lake.jpg", timeout=30_000)
    expect(lake).to_contain_text("phone-dav · 2019-08-03 12:00:00")
    # A function, not an expression: Playwright polls an expression again through eval, which
    # the app's CSP refuses (it passed only when the image had loaded by the first look).
    page.wait_for_function(
        "() => { const i = document.querySelector("
        "'#photos-timeline figure[data-source=\"phone-dav\"] img');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=30_000,
    )
    context.close()
