"""The Files view searches folders of this device, in the page, next to the server's results.

Chromium under test cannot click the native folder picker, so the picker's answer is a folder
in the page's private storage (OPFS): a real FileSystemDirectoryHandle, kept in IndexedDB and
walked exactly like a picked one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e
FILES = 3000  # enough that a walk which never hands the event loop back would freeze the page

PICKER_GIVES_PROJECTS = """
window.showDirectoryPicker = async () => {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle("device")).getDirectoryHandle("Projects");
};
"""

FILL_PROJECTS = """async (count) => {
  const root = await navigator.storage.getDirectory();
  const projects = await (await root.getDirectoryHandle("device", {create: true}))
    .getDirectoryHandle("Projects", {create: true});
  const put = async (folder, name, text) => {
    const out = await (await folder.getFileHandle(name, {create: true})).createWritable();
    await out.write(text);
    await out.close();
  };
  for (let group = 0; group < 30; group++) {
    const folder = await projects.getDirectoryHandle(`group-${group}`, {create: true});
    const writes = [];
    for (let i = 0; i < count / 30; i++) writes.push(put(folder, `note-${i}.txt`, `n${i}`));
    await Promise.all(writes);
  }
  const deep = await (await projects.getDirectoryHandle("group-7")).getDirectoryHandle(
    "archive", {create: true});
  await put(deep, "Needle-Report.txt", "the report");
}"""

# A browser that dropped the read permission since the last visit, until the user allows it.
PERMISSION_DROPPED = """
for (const kind of [FileSystemDirectoryHandle, FileSystemFileHandle]) {
  kind.prototype.queryPermission = async () => window.__allowed ? "granted" : "prompt";
  kind.prototype.requestPermission = async () => { window.__allowed = true; return "granted"; };
}
"""

# As in Firefox: no folder picker at all (a global's methods are its own properties).
NO_FILE_SYSTEM_ACCESS = "delete window.showDirectoryPicker;"

# The longest the page went without running a timer while the search walked the folder.
WATCH_THE_EVENT_LOOP = """() => {
  window.__longestGap = 0;
  let last = performance.now();
  window.__watch = setInterval(() => {
    const now = performance.now();
    window.__longestGap = Math.max(window.__longestGap, now - last);
    last = now;
  }, 10);
}"""


@pytest.fixture()
def context(browser: Browser, session_cookies: list[dict[str, Any]]) -> Iterator[BrowserContext]:
    context = browser.new_context()
    context.add_cookies(session_cookies)
    context.add_init_script(PICKER_GIVES_PROJECTS)
    yield context
    context.close()


def _files_view(context: BrowserContext, live_server: LiveServer) -> Page:
    page = context.new_page()
    page.goto(f"{live_server.url}/#/files")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    return page


def _search(page: Page, query: str) -> None:
    page.fill("#files-query", query)
    page.click("#files-search")
    # "1 file found" or "N files found" (units.counted)
    expect(page.locator("#files-status")).to_contain_text(
        re.compile(r"\d+ files? found"), timeout=60_000
    )


def test_a_device_folder_is_added_remembered_and_searched_with_the_server(
    context: BrowserContext, live_server: LiveServer
) -> None:
    page = _files_view(context, live_server)
    page.evaluate(FILL_PROJECTS, FILES)
    page.click("#local-add")
    expect(page.locator("#local-folders")).to_contain_text("Projects")
    expect(page.locator("#local-status")).to_contain_text("Added “Projects”")

    page.evaluate(WATCH_THE_EVENT_LOOP)
    _search(page, "needle-report")
    longest_gap = page.evaluate("() => { clearInterval(window.__watch); return __longestGap; }")
    results = page.locator("#files-results")
    expect(results.locator("tr", has_text="group-7/archive/Needle-Report.txt")).to_contain_text(
        "This device: Projects"
    )
    expect(results.locator("tbody tr")).to_have_count(1)
    # Thousands of entries were walked, yet timers kept running (a frozen page shows seconds).
    assert longest_gap < 1500, f"the page froze for {longest_gap:.0f} ms during the walk"

    _search(page, "note-")  # more matches than are shown: capped, and said so
    expect(results.locator("tbody tr")).to_have_count(200)
    expect(results).to_contain_text("Only the first results are shown")

    page.click("#local-add")  # the same folder again is not listed twice
    expect(page.locator("#local-status")).to_contain_text("already here")
    expect(page.locator("li.local-folder")).to_have_count(1)

    again = _files_view(context, live_server)  # a new visit: no picking again
    expect(again.locator("li.local-folder")).to_contain_text("Projects")
    _search(again, "needle")
    expect(again.locator("#files-results")).to_contain_text("This device: Projects")

    again.click("li.local-folder button[data-action=remove]")
    expect(again.locator("#local-folders")).to_contain_text("No folder of this device")
    _search(again, "needle")
    expect(again.locator("#files-results")).not_to_contain_text("This device")


def test_a_dropped_permission_is_asked_again_on_a_click(
    context: BrowserContext, live_server: LiveServer
) -> None:
    page = _files_view(context, live_server)
    page.evaluate(FILL_PROJECTS, 30)
    page.click("#local-add")
    expect(page.locator("li.local-folder")).to_have_count(1)
    context.add_init_script(PERMISSION_DROPPED)

    later = _files_view(context, live_server)
    folder = later.locator("li.local-folder")
    expect(folder).to_contain_text("access to confirm")
    _search(later, "needle")
    expect(later.locator("#files-results")).to_contain_text("Allow access again")
    expect(later.locator("#files-results")).not_to_contain_text("Needle-Report.txt")

    folder.locator("button[data-action=allow]").click()
    expect(folder).to_contain_text("readable")
    _search(later, "needle")
    expect(later.locator("#files-results")).to_contain_text("Needle-Report.txt")

    folder.locator("button[data-action=list]").click()  # the folder's own files, listed
    expect(later.locator("#local-status")).to_contain_text("“Projects”: 31 files shown")
    expect(later.locator("#files-results tbody tr")).to_have_count(31)
    folder.locator("button[data-action=remove]").click()


def test_without_file_system_access_the_view_says_so_and_hides_the_button(
    browser: Browser, live_server: LiveServer, session_cookies: list[dict[str, Any]]
) -> None:
    context = browser.new_context()
    try:
        context.add_cookies(session_cookies)
        context.add_init_script(NO_FILE_SYSTEM_ACCESS)
        page = _files_view(context, live_server)
        expect(page.locator("#local-add")).to_be_hidden()
        expect(page.locator("#local-status")).to_contain_text("cannot open folders")
        _search(page, "anything")  # the server's part of the search still works
    finally:
        context.close()
