"""The Sync view plans and runs a sync between two browser folders with the shared engine."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.conftest import LiveServer
from tests.e2e.browser_python import run_python_in_page

pytestmark = pytest.mark.e2e

SEED = """
from syncoxide_web.platform.opfs import open_opfs_folder

async def one(data):
    yield data

source = await open_opfs_folder("e2e-source")
await source.write("notes/a.txt", one(b"alpha"), mtime_ns=1_600_000_000_000_000_000)
await source.write("notes/b.txt", one(b"bravo" * 50_000), mtime_ns=1_600_000_000_000_000_000)
await source.write("photo.jpg", one(bytes(300_000)), mtime_ns=1_600_000_000_000_000_000)
await source._index.flush()
"""

CHECK = """
import hashlib
from syncoxide_web.platform.opfs import open_opfs_folder

target = await open_opfs_folder("e2e-target")
found = {e.path: e.size async for page in target.list_tree() for e in page
         if not e.path.startswith(".syncoxide")}
assert found == {"notes": 0, "notes/a.txt": 5, "notes/b.txt": 250_000, "photo.jpg": 300_000}, found
assert await target.hash("notes/b.txt", "sha1") == hashlib.sha1(b"bravo" * 50_000).hexdigest()
assert (await target.stat("photo.jpg")).mtime_ns == 1_600_000_000_000_000_000
"""


@pytest.fixture()
def context(browser: Browser, session_cookies: list[dict[str, Any]]) -> BrowserContext:
    context = browser.new_context()
    context.add_cookies(session_cookies)
    yield context
    context.close()


def test_preview_then_copy_between_browser_folders(
    context: BrowserContext, live_server: LiveServer
) -> None:
    seeded = run_python_in_page(context.new_page(), live_server.url, SEED)
    assert seeded == "ok", seeded
    page = context.new_page()
    page.goto(f"{live_server.url}/#/sync")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    page.fill("#sync-one", "e2e-source")
    page.fill("#sync-two", "e2e-target")
    page.select_option("#sync-mode", "copy")

    page.click("#sync-preview")
    status = page.locator("#sync-status")
    expect(status).to_contain_text("Nothing was changed yet", timeout=60_000)
    expect(page.locator("#sync-plan")).to_contain_text("notes/b.txt")

    page.click("#sync-run")
    expect(status).to_contain_text("every copy verified", timeout=60_000)
    checked = run_python_in_page(context.new_page(), live_server.url, CHECK)
    assert checked == "ok", checked

    page.click("#sync-preview")  # a second run has nothing left to do
    expect(page.locator("#sync-plan")).to_have_text(
        "Nothing to do: the folders agree.", timeout=60_000
    )


def test_a_bad_folder_name_is_explained(context: BrowserContext, live_server: LiveServer) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/#/sync")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    page.fill("#sync-one", "../escape")
    page.click("#sync-preview")
    expect(page.locator("#sync-status")).to_have_class("error", timeout=30_000)
    expect(page.locator("#sync-status")).to_contain_text("is not a folder name")


CHECK_ENCRYPTED = """
from syncoxide.crypto.keys import SecretBytes
from syncoxide.providers.encrypted import PasswordFolder
from syncoxide.system import SystemRandom
from syncoxide_web.platform.opfs import open_opfs_folder
from syncoxide_web.platform.webcrypto import WebCryptoBackend

raw = await open_opfs_folder("e2e-sealed")
names = [e.path async for page in raw.list_tree() for e in page]
assert "syncoxide.vault" in names, names
assert not any("notes" in n or "photo" in n for n in names), names
opened = PasswordFolder(raw, WebCryptoBackend(), SecretBytes(b"long enough password"),
                        SystemRandom())
data = b"".join([c async for c in opened.open_read("notes/b.txt")])
assert data == b"bravo" * 50_000
"""


def test_sync_into_an_encrypted_browser_folder(
    context: BrowserContext, live_server: LiveServer
) -> None:
    seeded = run_python_in_page(context.new_page(), live_server.url, SEED)
    assert seeded == "ok", seeded
    page = context.new_page()
    page.goto(f"{live_server.url}/#/sync")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    page.fill("#sync-one", "e2e-source")
    page.fill("#sync-two", "e2e-sealed")
    page.check("#sync-two-encrypted")
    page.fill("#sync-two-password", "long enough password")
    page.click("#sync-run")
    expect(page.locator("#sync-status")).to_contain_text("every copy verified", timeout=90_000)
    checked = run_python_in_page(context.new_page(), live_server.url, CHECK_ENCRYPTED)
    assert checked == "ok", checked
