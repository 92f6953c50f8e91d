"""The Automation view in Chromium: a rule added through its form converts a photo written
into the watched folder, and the job shows as done."""

from __future__ import annotations

import io

import httpx2
import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.conftest import LiveServer
from tests.server.photos.test_photos_api import jpeg, picture

pytestmark = pytest.mark.e2e


def test_a_rule_made_in_the_app_converts_arrivals(
    browser: Browser,
    server: LiveServer,
    api: httpx2.Client,
) -> None:
    context = browser.new_context()
    context.add_cookies([{"name": k, "value": v, "url": server.url}  # type: ignore[misc]
                         for k, v in api.cookies.items()])  # fmt: skip
    page = context.new_page()
    page.goto(f"{server.url}/#/automation")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    page.fill("#automation-name", "small copies")
    page.select_option("#automation-source_kind", "folder")
    page.fill("#automation-source", "Inbox")
    page.fill("#automation-output", "webp")
    page.fill("#automation-target", "Small")
    page.click("#automation-form button[type=submit]")
    expect(page.locator("#automation-status")).to_contain_text("added")
    expect(page.locator("#automation-rules")).to_contain_text("image in folder /Inbox → .webp")

    stored = api.put("/api/v1/storage/content", params={"path": "Inbox/photo.jpg"},
                     content=jpeg(picture(2), "2026:01:01 10:00:00"))  # fmt: skip
    assert stored.status_code == 200
    for _ in range(60):
        jobs = api.get("/api/v1/jobs").json()["jobs"]
        if jobs and jobs[0]["status"] == "done":
            break
        page.wait_for_timeout(500)
    page.check("#automation-only-dead")
    expect(page.locator("#automation-jobs")).to_contain_text("No jobs")
    page.uncheck("#automation-only-dead")
    expect(page.locator("#automation-jobs tr[data-status=done]")).to_contain_text(
        "Small/photo.webp"
    )
    small = api.get("/api/v1/storage/content", params={"path": "Small/photo.webp"}).content
    with Image.open(io.BytesIO(small)) as image:
        assert image.format == "WEBP"
    context.close()
