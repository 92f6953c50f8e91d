"""Links in Chromium with no account: a stranger drops a folder on a request page, and opens
a share link and downloads a file from it; the owner's copies match byte for byte."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import E2E_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture()
def stranger(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture()
def owner(live_server: LiveServer, e2e_user: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=live_server.url, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": e2e_user, "password": E2E_PASSWORD})
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        yield client


def test_a_stranger_drops_a_folder_on_a_request_page(
    stranger: Page, owner: httpx2.Client, live_server: LiveServer, tmp_path: Path
) -> None:
    link = owner.post("/api/v1/requests", json={"title": "Send the band photos"}).json()
    folder = tmp_path / "Gig"
    (folder / "set 2").mkdir(parents=True)
    tree = {"poster.png": os.urandom(40_000), "set 2/take.wav": os.urandom(9_000_000)}
    for name, data in tree.items():
        (folder / name).write_bytes(data)
    problems: list[str] = []
    stranger.on("console", lambda m: m.type == "error" and problems.append(m.text))
    stranger.goto(live_server.url + link["url"])
    expect(stranger.get_by_role("heading", name="Send the band photos")).to_be_visible()
    stranger.set_input_files("#pick-folder", str(folder))
    expect(stranger.locator("#uploads li[data-done]")).to_have_count(len(tree), timeout=60_000)
    arrived = owner.get(f"/api/v1/requests/{link['id']}/arrivals").json()["files"]
    assert {f["path"]: f["sha256"] for f in arrived} == {
        f"Gig/{name}": hashlib.sha256(data).hexdigest() for name, data in tree.items()
    }
    assert problems == []


def test_a_stranger_downloads_from_a_share_page(
    stranger: Page, owner: httpx2.Client, live_server: LiveServer, tmp_path: Path
) -> None:
    share = owner.post("/api/v1/shares", json={"title": "Minutes"}).json()
    data = os.urandom(123_456)
    created = owner.post(
        "/api/v1/uploads/",
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(data)),
            "Upload-Metadata": f"share {_b64(share['id'])},path {_b64('minutes.pdf')}",
            "Content-Type": "application/offset+octet-stream",
        },
        content=data,
    )
    assert created.status_code == 201, created.text
    stranger.goto(live_server.url + share["url"])
    with stranger.expect_download() as download_info:
        stranger.get_by_role("link", name="minutes.pdf").click()
    saved = tmp_path / "got.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == data


def test_an_interrupted_upload_resumes_after_a_reload(
    stranger: Page, owner: httpx2.Client, live_server: LiveServer, tmp_path: Path
) -> None:
    link = owner.post("/api/v1/requests", json={"title": "Resume me"}).json()
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12_000_000))  # two 8 MiB chunks: the second one is cut

    def cut_second_chunk(route: Route) -> None:
        if route.request.method == "PATCH" and route.request.headers["upload-offset"] != "0":
            route.abort()
        else:
            route.continue_()

    stranger.route("**/api/v1/drop/**", cut_second_chunk)
    stranger.goto(live_server.url + link["url"])
    stranger.set_input_files("#pick-files", str(big))
    expect(stranger.locator("#uploads li[data-failed]")).to_have_count(1, timeout=60_000)
    stranger.unroute("**/api/v1/drop/**")
    stranger.reload()
    methods: list[str] = []
    stranger.on("request", lambda r: "/api/v1/drop/" in r.url and methods.append(r.method))
    stranger.set_input_files("#pick-files", str(big))
    expect(stranger.locator("#uploads li[data-done]")).to_have_count(1, timeout=60_000)
    assert methods == ["HEAD", "PATCH"]  # no new upload, only the missing part sent
    arrived = owner.get(f"/api/v1/requests/{link['id']}/arrivals").json()["files"]
    assert [f["sha256"] for f in arrived] == [hashlib.sha256(big.read_bytes()).hexdigest()]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
