"""Accessibility in Chromium: axe-core on every view and public page, keyboard use, touch targets.

axe-core (served by our own server) must find nothing serious or critical, in light and dark
colours. A keyboard user gets a skip link first, sees where focus is at every stop, and lands on
a view's heading when opening it. On a phone-sized screen every control is at least 44 px both
ways (links inside a sentence excepted, as WCAG 2.5.5 does).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from syncoxide.server.pages.shell import VIEW_KEYS
from tests.conftest import LiveServer
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import E2E_PASSWORD, signed_in_view
from tests.e2e.held_wheel import HeldWheel

pytestmark = pytest.mark.e2e
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 720}
MIN_TARGET_PX = 44
# Visible controls narrower or lower than MIN_TARGET_PX. A check box or radio button counts by
# its label (clicking the label works the control); a link inside running text is exempt.
SMALL_TARGETS_JS = """(minimum) => {
  const inSentence = (a) => getComputedStyle(a).display === "inline" &&
      a.parentElement.textContent.trim().length > a.textContent.trim().length;
  const small = [];
  for (const control of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    if (!control.checkVisibility()) continue;
    if (control.matches("a") && inSentence(control)) continue;
    const box = (control.matches("[type=checkbox], [type=radio]") && control.closest("label")
      || control).getBoundingClientRect();
    if (box.width < minimum || box.height < minimum) {
      const name = control.id ? "#" + control.id : control.outerHTML.slice(0, 60);
      small.push(`${name} ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""
# Where focus is, and whether it can be seen: an outline or a box shadow drawn around it.
FOCUS_JS = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {
    name: element.id || element.textContent.trim().slice(0, 40) || element.tagName,
    tag: element.tagName,
    visible: outline || style.boxShadow !== "none",
  };
}"""


@pytest.fixture(scope="module")
def app_page(
    browser: Browser, live_server: LiveServer, session_cookies: list[Any]
) -> Iterator[Page]:
    with signed_in_view(browser, live_server, session_cookies, "home") as page:
        yield page


@pytest.fixture()
def owner(live_server: LiveServer, e2e_user: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=live_server.url, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": e2e_user, "password": E2E_PASSWORD})
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        yield client


@pytest.fixture()
def held_page(browser: Browser, session_cookies: list[Any]) -> Iterator[Page]:
    """A signed-in page whose Python never starts (its wheels are held back)."""
    context = browser.new_context()
    context.add_cookies(session_cookies)
    page = context.new_page()
    HeldWheel(page)
    yield page
    context.close()


def open_view(page: Page, key: str) -> None:
    page.evaluate("(key) => { location.hash = '#/' + key; }", key)
    expect(page.locator(f'section[data-view="{key}"]')).to_be_visible()


def public_pages(live_server: LiveServer, owner: httpx2.Client) -> dict[str, str]:
    """Every page a person without an account (or before signing in) meets, by name."""
    share = owner.post("/api/v1/shares", json={"title": "Minutes"}).json()
    created = owner.post(
        "/api/v1/uploads/",
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "5",
            "Upload-Metadata": f"share {_b64(share['id'])},path {_b64('minutes.pdf')}",
            "Content-Type": "application/offset+octet-stream",
        },
        content=b"hello",
    )
    assert created.status_code == 201, created.text
    request = owner.post("/api/v1/requests", json={"title": "Send the band photos"}).json()
    return {
        "share": live_server.url + share["url"],
        "request": live_server.url + request["url"],
        "receive": _receive_link(live_server),
        "sign-in": f"{live_server.url}/login",
        "not found": f"{live_server.url}/no-such-page",
    }


def _receive_link(live_server: LiveServer) -> str:
    """A peer-to-peer link whose room already holds a sender's summary of two files."""
    room = httpx2.post(f"{live_server.url}/signal/rooms", timeout=10).json()
    summary = {
        "count": 2,
        "bytes": 300_013,
        "files": [
            {"path": "holiday/day1/photo.jpg", "size": 300_000},
            {"path": "notes.txt", "size": 13},
        ],
        "folders": ["holiday", "holiday/day1"],
    }
    put = httpx2.put(
        f"{live_server.url}/signal/rooms/{room['room']}/summary",
        headers={"X-Room-Token": room["token"]},
        content=json.dumps(summary),
        timeout=10,
    )
    assert put.status_code == 204, put.text
    return f"{live_server.url}/p/{room['room']}#{room['token']}"


def test_every_view_has_no_serious_axe_finding_in_light_and_dark(app_page: Page) -> None:
    found = {}
    for scheme in ("light", "dark"):
        app_page.emulate_media(color_scheme=scheme)
        for key in VIEW_KEYS:
            open_view(app_page, key)
            found[f"{key} ({scheme})"] = serious_violations(app_page)
    app_page.emulate_media(color_scheme="light")
    assert {view: problems for view, problems in found.items() if problems} == {}


def test_the_app_before_python_and_the_account_page_have_no_serious_axe_finding(
    held_page: Page, live_server: LiveServer
) -> None:
    held_page.goto(live_server.url)
    expect(held_page.locator("#boot")).to_be_visible()
    assert serious_violations(held_page) == []
    held_page.goto(f"{live_server.url}/account")
    expect(held_page.locator("h1:visible").first).to_be_visible()
    assert serious_violations(held_page) == []


def test_public_pages_have_no_serious_axe_finding(
    browser: Browser, live_server: LiveServer, owner: httpx2.Client
) -> None:
    context = browser.new_context()
    page = context.new_page()
    HeldWheel(page)  # the receive page's list shows without Python; no need to start it
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, url in public_pages(live_server, owner).items():
            page.goto(url)
            expect(page.locator("h1:visible").first).to_be_visible()
            if name == "receive":
                expect(page.locator("#offer-list .offer-file")).to_have_count(2)
            found[f"{name} ({scheme})"] = serious_violations(page)
    context.close()
    assert {page: problems for page, problems in found.items() if problems} == {}


def test_keyboard_skip_link_visible_focus_and_focus_on_the_opened_view(
    held_page: Page, live_server: LiveServer
) -> None:
    held_page.goto(f"{live_server.url}/#/home")
    held_page.keyboard.press("Tab")
    skip = held_page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert held_page.evaluate(FOCUS_JS)["visible"]
    held_page.keyboard.press("Enter")
    expect(held_page.get_by_role("heading", name="Welcome to syncoxide")).to_be_focused()
    assert held_page.evaluate("() => location.hash") == "#/home"  # the view stays named
    held_page.locator('#main-nav a[data-view="send"]').focus()
    held_page.keyboard.press("Enter")
    expect(held_page.get_by_role("heading", name="Send", exact=True)).to_be_focused()
    expect(held_page).to_have_title("Send · syncoxide")
    unseen = []
    for _ in range(25):  # every stop from the heading on through the Send view and beyond
        held_page.keyboard.press("Tab")
        focus = held_page.evaluate(FOCUS_JS)
        if focus["tag"] != "BODY" and not focus["visible"]:  # BODY: past the last stop
            unseen.append(f"{focus['tag']} {focus['name']}")
    assert unseen == []


def test_every_control_is_a_44px_touch_target_on_a_phone(
    app_page: Page, browser: Browser, live_server: LiveServer, owner: httpx2.Client
) -> None:
    small = {}
    app_page.set_viewport_size(PHONE)
    for key in VIEW_KEYS:  # as Python has filled them in
        open_view(app_page, key)
        small[key] = app_page.evaluate(SMALL_TARGETS_JS, MIN_TARGET_PX)
    app_page.set_viewport_size(DESKTOP)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    HeldWheel(page)
    for name, url in public_pages(live_server, owner).items():
        page.goto(url)
        expect(page.locator("h1:visible").first).to_be_visible()
        small[name] = page.evaluate(SMALL_TARGETS_JS, MIN_TARGET_PX)
    context.close()
    assert {where: controls for where, controls in small.items() if controls} == {}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
