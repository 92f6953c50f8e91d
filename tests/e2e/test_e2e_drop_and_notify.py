"""Files dropped on the app window, one set of pickers, Send's copy button and QR code, and a
browser notification when a transfer ends while the tab is in the background.

Drops go through Playwright's drag events carrying a real DataTransfer made in the page. The
notification is the browser's own; the test wraps its constructor to see what was shown (a
headless browser has no screen to show it on) and says the tab is hidden the same way.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import LiveServer
from tests.e2e.conftest import E2E_PASSWORD
from tests.e2e.held_wheel import HeldWheel

pytestmark = pytest.mark.e2e
READY_TIMEOUT_MS = 90_000
TUS = {"Tus-Resumable": "1.0.0"}
# Records each notification shown, and lets the test say the tab is in the background.
WATCH_NOTIFICATIONS_JS = """
  window.shownNotifications = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.shownNotifications.push(`${title} | ${options && options.body}`);
    }
  };
  Object.defineProperty(Document.prototype, "visibilityState", {
    configurable: true, get: () => (window.tabHidden ? "hidden" : "visible"),
  });
"""
MAKE_DROP_JS = """(files) => {
  const carried = new DataTransfer();
  for (const [name, text] of files) carried.items.add(new File([text], name, {type: "text/plain"}));
  return carried;
}"""


def drop(page: Page, files: list[tuple[str, str]]) -> None:
    """Drag ``files`` (name, text) over the app window and let go."""
    carried = page.evaluate_handle(MAKE_DROP_JS, files)
    for event in ("dragenter", "dragover"):
        page.dispatch_event("#content", event, {"dataTransfer": carried})
    expect(page.locator("#drop-overlay")).to_be_visible()
    page.dispatch_event("#content", "drop", {"dataTransfer": carried})
    expect(page.locator("#drop-overlay")).to_be_hidden()


@pytest.fixture()
def context(
    browser: Browser, live_server: LiveServer, session_cookies: list[Any]
) -> Iterator[BrowserContext]:
    made = browser.new_context(
        permissions=["notifications", "clipboard-read", "clipboard-write"],
    )
    made.grant_permissions(
        ["notifications", "clipboard-read", "clipboard-write"], origin=live_server.url
    )
    made.add_cookies(session_cookies)
    made.add_init_script(WATCH_NOTIFICATIONS_JS)
    yield made
    made.close()


def test_a_drop_on_home_goes_to_send_before_python_and_waits_for_it(
    context: BrowserContext, live_server: LiveServer
) -> None:
    page = context.new_page()
    HeldWheel(page)
    page.goto(f"{live_server.url}/#/home")
    drop(page, [("notes.txt", "dropped early"), ("list.txt", "two")])
    expect(page).to_have_url(re.compile("#/send$"))
    expect(page.locator("#drop-status")).to_have_text("2 files added to Send.")
    picked = page.evaluate(
        "() => [...document.getElementById('send-files').files].map(f => f.name)"
    )
    assert picked == ["notes.txt", "list.txt"]
    expect(page.locator("#send-files")).to_have_attribute("data-waiting", "")


def test_a_drop_on_files_uploads_there_and_notifies_when_the_tab_is_hidden(
    context: BrowserContext, live_server: LiveServer
) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/#/send")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    page.get_by_label(re.compile("Tell me when it\\s+ends")).check()
    expect(page.locator("#send-notify-status")).to_contain_text("You will be told")
    page.get_by_role("link", name="Files", exact=True).click()
    expect(page.locator("#storage-list")).not_to_contain_text("Loading")
    page.evaluate("() => { window.tabHidden = true; }")
    drop(page, [("dropped-report.txt", "uploaded by a drop")])
    status = page.locator("#storage-status")
    expect(status).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#storage-list")).to_contain_text("dropped-report.txt")
    shown = page.evaluate("() => window.shownNotifications")
    assert shown == ["Upload finished | Uploaded 1 file into “Your files”."]
    page.evaluate("() => { window.tabHidden = false; }")  # in front: no notification
    drop(page, [("second.txt", "in front")])
    expect(page.locator("#storage-list")).to_contain_text("second.txt", timeout=60_000)
    assert page.evaluate("() => window.shownNotifications.length") == 1


def test_send_shows_one_set_of_pickers_a_copy_button_and_a_qr_code(
    context: BrowserContext, live_server: LiveServer
) -> None:
    page = context.new_page()
    page.goto(f"{live_server.url}/#/send")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    expect(page.locator("#send-pickers")).to_be_visible()  # Chromium: the resumable pickers
    expect(page.locator("#send-inputs")).to_be_hidden()
    drop(page, [("for-a-phone.txt", "scan me")])
    expect(page.locator("#send-picked")).to_contain_text("for-a-phone.txt")
    page.get_by_role("button", name="Send", exact=True).click()
    link = page.locator("#send-link")
    expect(link).to_have_text(re.compile("/p/"), timeout=60_000)
    qr = page.get_by_role("img", name=re.compile("QR code of the link"))
    expect(qr).to_be_visible(timeout=30_000)
    assert str(qr.get_attribute("src")).startswith("data:image/svg+xml")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#send-status")).to_have_text("Link copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == link.text_content()
    page.get_by_role("button", name="Cancel").click()


def test_notifications_refused_by_the_browser_are_said_and_left_off(
    browser: Browser, live_server: LiveServer, session_cookies: list[Any]
) -> None:
    context = browser.new_context()
    context.add_cookies(session_cookies)
    page = context.new_page()
    # As if the person had blocked notifications for this site (no prompt is left pending).
    context.new_cdp_session(page).send(
        "Browser.setPermission",
        {"permission": {"name": "notifications"}, "setting": "denied", "origin": live_server.url},
    )
    HeldWheel(page)
    page.goto(f"{live_server.url}/#/send")
    toggle = page.get_by_label(re.compile("Tell me when it\\s+ends"))
    toggle.click()
    expect(page.locator("#send-notify-status")).to_contain_text("blocked notifications")
    expect(toggle).not_to_be_checked()
    assert page.evaluate("() => localStorage.getItem('syncoxide.notifications')") is None
    context.close()


def test_a_file_arriving_on_a_request_link_notifies_when_the_tab_is_hidden(
    context: BrowserContext, live_server: LiveServer, e2e_user: str
) -> None:
    page = context.new_page()
    frames: list[str] = []  # what the live events socket told the page
    page.on("websocket", lambda socket: socket.on("framereceived", lambda f: frames.append(str(f))))
    page.goto(f"{live_server.url}/#/requests")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=READY_TIMEOUT_MS)
    page.evaluate("() => localStorage.setItem('syncoxide.notifications', 'on')")  # asked before
    for _ in range(300):  # an event before the socket caught up would count as history
        if any("caught_up" in frame for frame in frames):
            break
        page.wait_for_timeout(100)
    with httpx2.Client(base_url=live_server.url, timeout=30) as owner:
        signed = owner.post("/api/v1/session", json={"name": e2e_user, "password": E2E_PASSWORD})
        owner.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        link = owner.post("/api/v1/requests", json={"title": "Tax papers"}).json()
    page.evaluate("() => { window.tabHidden = true; }")
    _drop_as_a_stranger(live_server, link["id"], "receipt.txt", b"paid")
    expect(page.locator("#req-live")).to_contain_text("New on “Tax papers”: receipt.txt")
    shown = page.evaluate("() => window.shownNotifications")
    assert shown == ["Upload to your request link finished | New on “Tax papers”: receipt.txt"]


def _drop_as_a_stranger(live_server: LiveServer, link_id: str, name: str, data: bytes) -> None:
    """One file into a request link over tus, with no account, as any tus client would."""
    base = f"{live_server.url}/api/v1/drop/{link_id}/"
    meta = f"filename {base64.b64encode(name.encode()).decode()}"
    made = httpx2.post(
        base, headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
    )
    assert made.status_code == 201, made.text
    sent = httpx2.patch(
        httpx2.URL(base).join(made.headers["location"]),
        content=data,
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert sent.status_code == 204, sent.text
