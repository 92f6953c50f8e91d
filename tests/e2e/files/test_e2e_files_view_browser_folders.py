"""Folders inside the browser (Sync's "Browser folder", files received "in this browser") in the
Files view: listed, shown, searched, opened, downloaded and deleted.

The folders are written into the page's private storage (OPFS) where Sync and the receive page
put theirs (``folders/<name>``, ``received``), then the Files view is asked to list them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

FILL_BROWSER_FOLDERS = """async () => {
  const root = await navigator.storage.getDirectory();
  const put = async (folder, name, text) => {
    const out = await (await folder.getFileHandle(name, {create: true})).createWritable();
    await out.write(text);
    await out.close();
  };
  const folders = await root.getDirectoryHandle("folders", {create: true});
  const documents = await folders.getDirectoryHandle("documents", {create: true});
  await put(documents, "report.txt", "quarterly report");
  await put(documents, "page.html", "<script>alert(1)</script>");
  await put(await documents.getDirectoryHandle("sub", {create: true}), "deep.txt", "deep");
  await put(await documents.getDirectoryHandle(".syncoxide-trash", {create: true}), "old.txt", "x");
  await put(await root.getDirectoryHandle("received", {create: true}), "from-a-friend.txt", "hi");
}"""
NAMES_IN_DOCUMENTS = """async () => {
  const root = await navigator.storage.getDirectory();
  const folders = await root.getDirectoryHandle("folders");
  const documents = await folders.getDirectoryHandle("documents");
  const names = [];
  for await (const name of documents.keys()) names.push(name);
  return names.sort();
}"""


@pytest.fixture()
def page(browser: Browser, live_server: LiveServer, session_cookies: list[Any]) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    context.add_cookies(session_cookies)
    opened = context.new_page()
    opened.goto(f"{live_server.url}/#/files")
    expect(opened.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    yield opened
    context.close()


def test_browser_folders_are_listed_shown_searched_opened_downloaded_and_deleted(
    page: Page, tmp_path: Path
) -> None:
    folders = page.locator("#browser-folders")
    expect(folders).to_contain_text("No folder in this browser yet")
    page.evaluate(FILL_BROWSER_FOLDERS)
    page.get_by_role("button", name="List again").click()
    expect(folders.locator("li strong")).to_have_text(["documents", "received"])

    page.get_by_role("button", name="Show files of documents").click()
    files = page.locator("#browser-files")
    expect(files.locator("tbody td:first-child")).to_have_text(
        ["page.html", "report.txt", "sub/deep.txt"]  # the trash folder is not shown
    )

    page.get_by_label("Name contains").fill("report")
    page.get_by_role("button", name="Search everywhere").click()
    results = page.locator("#files-results")
    expect(results).to_contain_text("This browser: documents")
    expect(results.locator("tbody tr", has_text="This browser")).to_have_count(1)

    with page.expect_download() as saved:
        page.get_by_role("button", name="Download report.txt").click()
    saved.value.save_as(tmp_path / "report.txt")
    assert (tmp_path / "report.txt").read_text() == "quarterly report"
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Open sub/deep.txt").click()
    expect(opened.value.locator("body")).to_have_text("deep")
    opened.value.close()
    with page.expect_download() as unsafe:  # HTML could run script as this site: saved instead
        page.get_by_role("button", name="Open page.html").click()
    assert unsafe.value.suggested_filename == "page.html"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete page.html").click()
    expect(page.locator("#browser-status")).to_have_text("Deleted “page.html”.")
    expect(page.locator("#browser-status")).to_be_focused()  # not lost with the row
    expect(files.locator("tbody td:first-child")).to_have_text(["report.txt", "sub/deep.txt"])
    assert page.evaluate(NAMES_IN_DOCUMENTS) == [".syncoxide-trash", "report.txt", "sub"]

    # Changed their mind: nothing goes. The confirmation is answered before the next is asked:
    # a second handler waiting beside the first would answer the first dialog too.
    answered: list[str] = []
    page.once("dialog", lambda dialog: (dialog.dismiss(), answered.append("no")))
    page.get_by_role("button", name="Delete received").click()
    for _ in range(100):
        if answered:
            break
        page.wait_for_timeout(100)
    assert answered == ["no"]
    expect(folders.locator("li strong")).to_have_text(["documents", "received"])
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete received").click()
    # Removing a folder from the browser's storage can take seconds on a loaded machine.
    expect(folders.locator("li strong")).to_have_text(["documents"], timeout=30_000)
