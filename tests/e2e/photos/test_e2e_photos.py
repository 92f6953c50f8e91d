"""The Photos view in Chromium against a live server: days of thumbnails, duplicates side by
side, and "Keep this one" moving the copy to the trash."""

from __future__ import annotations

import datetime as dt
import io

import httpx2
import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import signed_in_context
from tests.server.photos.test_photos_api import jpeg, picture

pytestmark = pytest.mark.e2e


def test_photos_by_day_and_keep_best(
    browser: Browser, server: LiveServer, api: httpx2.Client
) -> None:
    beach = picture(1)
    small = io.BytesIO()
    beach.resize((600, 450)).save(small, "JPEG", quality=60)
    uploaded_on = dt.datetime.now(dt.UTC).date().isoformat()
    for path, data in (
        ("Camera/beach.jpg", jpeg(beach, "2026:07:14 10:00:00")),
        ("Camera/beach-small.jpg", small.getvalue()),
        ("Camera/forest.jpg", jpeg(picture(7), "2025:01:02 08:00:00")),
    ):
        stored = api.put("/api/v1/storage/content", params={"path": path}, content=data)
        assert stored.status_code == 200, stored.text  # fmt: skip
    context = signed_in_context(browser, server.url, api.cookies)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{server.url}/#/photos")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    timeline = page.locator("#photos-timeline")
    # beach-small.jpg has no EXIF date and was uploaded with no file time, so the server dated
    # it when it stored it (UTC, as the timeline's days are).
    days = sorted({uploaded_on, "2026-07-14", "2025-01-02"}, reverse=True)
    expect(timeline.locator("h2.photo-day")).to_have_text(days, timeout=30_000)
    images = timeline.locator("img")
    expect(images).to_have_count(3)
    page.wait_for_function(  # a function: an expression is polled through eval, which CSP refuses
        "() => [...document.querySelectorAll('#photos-timeline img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
        timeout=30_000,
    )
    page.click("#photos-find-duplicates")
    group = page.locator("#photos-duplicates .photo-group")
    expect(group).to_have_count(1)
    group.locator('figure[data-path="Camera/beach.jpg"] button').click()
    expect(page.locator("#photos-status")).to_contain_text("1 moved to the trash")
    expect(timeline.locator("img")).to_have_count(2)
    trash = api.get("/api/v1/catalog/trash").json()
    assert "beach-small.jpg" in str(trash)
    context.close()
    with Image.open(
        io.BytesIO(
            api.get("/api/v1/photos/thumbnail", params={"path": "Camera/forest.jpg"}).content
        )
    ) as t:
        assert max(t.size) == 320  # fmt: skip
