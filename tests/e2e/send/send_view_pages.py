"""Helpers for the Send view tests: open the app's Send view, hold its data channel part-way,
read what a receive page stored."""

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


# The sender page's data channels carry their first ``limit`` bytes and drop the rest, as if the
# network stopped there. A test that closes or leaves the sender "mid-transfer" once the
# receiver shows some progress otherwise races the transfer itself: on a quiet machine the
# 41 MB album went from the 50 % mark to verified before the test's next step (seen: 96.6 %
# when the mark was noticed), and the receiver never needed the server copy.
_HOLD_DATA_AFTER = """(limit) => {
  const send = RTCDataChannel.prototype.send;
  let carried = 0;
  RTCDataChannel.prototype.send = function (data) {
    carried += data.byteLength ?? data.size ?? data.length;
    if (carried <= limit) send.call(this, data);
  };
}"""


def hold_data_after(sender: Page, limit: int) -> None:
    """From now on ``sender``'s peer-to-peer channels stop carrying data after ``limit`` bytes
    (frames included): the receiver stays mid-file, however fast the transfer runs here."""
    sender.evaluate(_HOLD_DATA_AFTER, limit)
