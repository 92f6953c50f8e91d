"""The global view in Chromium, against a live server: All files, Starred, Recent, Trash, History.

A file is written twice through the API (the first content becomes a version). In the app it
is found by search in All files, starred and then seen in Starred and Recent; its History
restores the first content (checked byte for byte through the API); it is deleted, shows in
Trash, is restored from there with its content intact, and Delete forever empties a second one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx2
import pytest
from playwright.sync_api import Browser, Dialog, Error, Locator, Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import signed_in_context
from tests.e2e.own_server import server_with_user

pytestmark = pytest.mark.e2e
USER, PASSWORD = "catalog-e2e", "catalog e2e password"
PATH = "trip/packing-list.txt"
FIRST, SECOND = b"tent, stove\n" * 40, b"tent, stove, maps, torch\n" * 30
APP_READY_MS = 90_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("catalog-e2e") / "data"
    with server_with_user(data, USER, PASSWORD) as live:
        yield live


@pytest.fixture(scope="module")
def api(server: LiveServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        signed.raise_for_status()
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        yield client


@pytest.fixture(scope="module")
def stored(api: httpx2.Client) -> None:
    """The module's files, stored once: two versions of the packing list and a receipt."""
    for content in (FIRST, SECOND):
        put(api, PATH, content)
    put(api, "trip/old-receipt.txt", b"paid")


# A page per test (Python restores from the snapshot in a second or two): a renderer that
# dies under one test then fails that test alone, which runs once more in a new page, rather
# than every later test of the module on the dead one.
@pytest.fixture()
def page(browser: Browser, server: LiveServer, api: httpx2.Client, stored: None) -> Iterator[Page]:
    context = signed_in_context(browser, server.url, api.cookies)
    opened = context.new_page()
    opened.on("dialog", accept)  # "Move to the trash?": yes
    opened.goto(f"{server.url}/#/all")
    expect(opened.locator("html")).to_have_attribute("data-ready", "1", timeout=APP_READY_MS)
    yield opened
    context.close()


def accept(dialog: Dialog) -> None:
    """Yes to a confirm; one Chromium has already closed under load is left alone (what the
    test checks next shows whether the action happened)."""
    with contextlib.suppress(Error):
        dialog.accept()


def put(api: httpx2.Client, path: str, content: bytes) -> None:
    stored = api.put("/api/v1/storage/content", params={"path": path}, content=content)
    assert stored.status_code == 200, stored.text


def content_of(api: httpx2.Client, path: str) -> bytes:
    answer = api.get("/api/v1/storage/content", params={"path": path})
    assert answer.status_code == 200, answer.text
    return answer.content


def search(page: Page, words: str) -> None:
    """Search in All files and wait for the answer to this search: until it is drawn, the
    results are the previous list, and a row pressed there is another file's (Delete on the
    rows of "packing" while "receipt" was on its way trashed the packing list)."""
    page.goto(page.url.split("#")[0] + "#/all")
    page.fill("#all-query", words)
    page.click("#all-search")
    expect(page.locator("#all-results")).to_have_attribute("data-shown", words)


def press(where: Locator, button: str) -> None:
    where.get_by_role("button", name=button, exact=True).click()


def entry(page: Page, text: str = "") -> Locator:
    return page.locator("#all-results tr.catalog-entry", has_text=text or None)


def test_search_finds_the_file_and_a_star_shows_in_starred_and_recent(page: Page) -> None:
    search(page, "packing")
    found = entry(page)
    expect(found).to_have_count(1)
    expect(found).to_contain_text("home:" + PATH)
    search(page, "nothing-is-called-this")
    expect(page.locator("#all-results")).to_contain_text("No file in the index matches")

    search(page, "packing")
    press(entry(page, PATH), "Star")
    expect(page.locator("#all-status")).to_contain_text("Starred home:" + PATH)
    page.goto(page.url.split("#")[0] + "#/starred")
    expect(page.locator("#starred-list tr.catalog-entry", has_text=PATH)).to_have_count(1)
    page.goto(page.url.split("#")[0] + "#/recent")
    touched = page.locator("#recent-list tr.catalog-entry", has_text=PATH)
    expect(touched).to_have_count(1)
    expect(touched).to_contain_text("changed")


def test_history_restores_the_older_version(page: Page, api: httpx2.Client) -> None:
    search(page, "packing")
    press(entry(page, PATH), "History")
    expect(page.locator("#history-path")).to_have_text(PATH)
    versions = page.locator("#history-list tr.kept-item")
    expect(versions).to_have_count(1)
    for now_current in (FIRST, SECOND):
        restored = versions.get_attribute("data-id")
        press(versions, "Restore this version")
        # Restoring makes what was current a version: one row still, with another id.
        expect(versions).not_to_have_attribute("data-id", str(restored))
        expect(versions).to_have_count(1)
        expect(page.locator("#history-status")).to_contain_text("Restored that version")
        assert content_of(api, PATH) == now_current


def test_delete_goes_to_trash_and_restore_brings_it_back(page: Page, api: httpx2.Client) -> None:
    search(page, "packing")
    press(entry(page, PATH), "Delete")
    expect(page.locator("#all-status")).to_contain_text(f"Moved “{PATH}” to the trash")
    expect(entry(page)).to_have_count(0)
    assert api.get("/api/v1/storage/content", params={"path": PATH}).status_code == 404

    page.goto(page.url.split("#")[0] + "#/trash")
    trashed = page.locator("#trash-list tr.kept-item", has_text=PATH)
    expect(trashed).to_have_count(1)
    press(trashed, "Restore")
    expect(page.locator("#trash-status")).to_contain_text(f"Restored “{PATH}”")
    expect(trashed).to_have_count(0)
    assert content_of(api, PATH) == SECOND
    search(page, "packing")
    expect(entry(page, PATH)).to_have_count(1)


def test_delete_forever_empties_it_from_the_trash(page: Page, api: httpx2.Client) -> None:
    search(page, "receipt")
    press(entry(page), "Delete")
    expect(page.locator("#all-status")).to_contain_text("Moved “trip/old-receipt.txt” to the trash")
    page.goto(page.url.split("#")[0] + "#/trash")
    trashed = page.locator("#trash-list tr.kept-item", has_text="old-receipt")
    press(trashed, "Delete forever")
    expect(page.locator("#trash-status")).to_contain_text("Deleted forever")
    expect(trashed).to_have_count(0)
    assert api.get("/api/v1/catalog/trash").json()["items"] == []


def test_a_stable_link_opens_the_file_in_all_files(page: Page, api: httpx2.Client) -> None:
    [found] = api.get("/api/v1/catalog/search", params={"q": "packing"}).json()["entries"]
    page.goto(page.url.split("#")[0].split("?")[0].rstrip("/") + found["link"])
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=APP_READY_MS)
    assert "#/all" in page.url
    marked = page.locator("#all-results tr[data-linked]")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("home:" + PATH)
    expect(page.locator("#all-crumbs")).to_contain_text("trip")


def test_space_charts_and_a_duplicate_cleaned_up_through_the_trash(
    page: Page, api: httpx2.Client
) -> None:
    put(api, "photos/beach.jpg", b"sand" * 500)
    put(api, "photos/copy of beach.jpg", b"sand" * 500)
    page.goto(page.url.split("#")[0] + "#/space")
    charts = page.locator("#space-charts")
    expect(charts.locator("table.bars")).to_have_count(3)
    expect(charts).to_contain_text("Your files on this server")
    expect(charts.locator("meter")).not_to_have_count(0)
    copy = page.locator("#space-dupes tr.catalog-entry", has_text="copy of beach.jpg")
    expect(copy).to_have_count(1)
    press(copy, "Delete")
    expect(page.locator("#space-status")).to_contain_text("to the trash")
    expect(page.locator("#space-dupes")).to_contain_text("No duplicates")
    trashed = api.get("/api/v1/catalog/trash").json()["items"]
    assert [i["path"] for i in trashed] == ["photos/copy of beach.jpg"]
    restored = api.post("/api/v1/catalog/trash/restore", json={"id": trashed[0]["id"]})
    assert restored.status_code == 200  # the cleanup is undone from the trash
    assert content_of(api, "photos/copy of beach.jpg") == b"sand" * 500
