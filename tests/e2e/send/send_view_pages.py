"""Helpers for the Send view tests: open the app's Send view, read what a receive page stored."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import LiveServer

# The SHA-256 of every file a receive page put in its browser folder, by relative path,
# computed in the page (WebCrypto), so the bytes never leave it.
_STORED_HASHES = """async (inbox) => {
  const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
  const out = {};
  async function walk(folder, prefix) {
    for await (const [name, handle] of folder.entries()) {
      if (handle.kind === "directory") { await walk(handle, prefix + name + "/"); continue; }
      const data = await (await handle.getFile()).arrayBuffer();
      out[prefix + name] = hex(await crypto.subtle.digest("SHA-256", data));
    }
  }
  const root = await navigator.storage.getDirectory();
  await walk(await root.getDirectoryHandle(inbox), "");
  return out;
}"""


def open_send_view(
    context: BrowserContext, live_server: LiveServer, cookies: list[dict[str, Any]]
) -> Page:
    """The app's Send view, signed in (the app is for account holders; receiving is not)."""
    context.add_cookies(cookies)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{live_server.url}/#/send")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    return page


def link_of(sender: Page) -> str:
    link = sender.locator("#send-link")
    expect(link).to_have_text(re.compile("/p/"), timeout=60_000)
    return str(link.text_content())


def stored_hashes(receiver: Page, inbox: str = "received") -> dict[str, Any]:
    hashes: dict[str, Any] = receiver.evaluate(_STORED_HASHES, inbox)
    return hashes
