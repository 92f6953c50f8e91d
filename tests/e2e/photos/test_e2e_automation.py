"""The Automation view in Chromium: a rule added through its form converts a photo written
into the watched folder, and the job shows as done; an open view shows jobs as they finish
or are given up, from the live event socket, with no reload."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import httpx2
import pytest
from PIL import Image
from playwright.sync_api import Browser, Request, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import signed_in_context
from tests.server.photos.test_photos_api import jpeg, picture

pytestmark = pytest.mark.e2e


def test_a_rule_made_in_the_app_converts_arrivals(
    browser: Browser,
    server: LiveServer,
    api: httpx2.Client,
) -> None:
    context = signed_in_context(browser, server.url, api.cookies)
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


def test_the_open_view_shows_jobs_as_they_finish_and_are_given_up(
    browser: Browser,
    server: LiveServer,
    api: httpx2.Client,
) -> None:
    rule = {"name": "scans shrunk", "source_kind": "folder", "source": "Scans", "output": "png",
            "target_folder": "Shrunk", "combine": False, "original": "keep"}  # fmt: skip
    api.post("/api/v1/automation/rules", json=rule).raise_for_status()
    context = signed_in_context(browser, server.url, api.cookies)
    page = context.new_page()
    page.goto(f"{server.url}/#/automation")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    expect(page.locator("#automation-rules")).to_contain_text("scans shrunk")
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    reads: list[str] = []

    def read(request: Request) -> None:
        reads.append(urlsplit(request.url).path)

    page.on("request", read)
    jobs = page.locator("#automation-jobs")

    def put(path: str, content: bytes) -> None:
        stored = api.put("/api/v1/storage/content", params={"path": path}, content=content)
        assert stored.status_code == 200

    put("Scans/good.jpg", jpeg(picture(3), "2026:01:02 10:00:00"))
    done = jobs.locator("tr[data-status=done]", has_text="Shrunk/good.png")
    expect(done).to_have_count(1, timeout=60_000)

    page.check("#automation-only-dead")  # the dead-letter list, empty so far
    expect(jobs).to_contain_text("No jobs")
    put("Scans/cut.jpg", jpeg(picture(4))[:200])  # a bad input: given up at its first try
    dead = jobs.locator("tr[data-status=dead]", has_text="Shrunk/cut.png")
    expect(dead).to_contain_text("could not be read as an image", timeout=60_000)
    expect(dead.locator("[data-action=retry]")).to_be_visible()
    assert page.url == f"{server.url}/#/automation"
    assert page.evaluate("window.sameDocument") is True
    assert "/api/v1/automation/rules" not in reads  # a job's event reads the jobs alone

    reads.clear()  # an event of another kind (a new API token) reads nothing here
    api.post("/api/v1/tokens", json={"label": "not about automation"}).raise_for_status()
    page.wait_for_timeout(1500)  # a refresh comes 0.3 s after its event: ample room to show
    assert not [path for path in reads if path.startswith(("/api/v1/jobs", "/api/v1/automation"))]
    context.close()
