"""The receive page shows what is coming from the room before Python runs, and a save choice
made that early waits, then runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.e2e.held_wheel import HeldWheel
from tests.e2e.p2p.p2p_pages import p2p_browser
from tests.native.p2p.p2p_processes import start_cli, wait_for_link

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]  # the fixture


@pytest.fixture()
def page(p2p_browser: Browser) -> Iterator[Page]:
    context = p2p_browser.new_context()
    yield context.new_page()
    context.close()


def test_names_sizes_and_folders_show_before_python_and_save_all_waits_for_it(
    tmp_path: Path, page: Page, live_server: LiveServer
) -> None:
    tree = tmp_path / "holiday"
    (tree / "day1").mkdir(parents=True)
    (tree / "empty").mkdir()
    (tree / "day1" / "photo.jpg").write_bytes(b"p" * 300_000)
    (tree / "notes.txt").write_text("see you soon\n")
    sender = start_cli(
        ["send", str(tree), "--server", live_server.url, "--wait", "90"], tmp_path / "send.log"
    )
    try:
        link, _ = wait_for_link(sender)
        held = HeldWheel(page)
        page.goto(link)
        summary = page.locator("#offer-summary")
        expect(summary).to_have_text("2 files, 300.0 kB in 3 folders")
        offer = page.locator("#offer-list")
        expect(offer.locator(".offer-folder > .offer-name")).to_have_text(
            ["holiday/", "day1/", "empty/"]
        )
        expect(offer.locator(".offer-file")).to_have_text(["photo.jpg 300.0 kB", "notes.txt 13 B"])
        save = page.get_by_role("button", name="Save all in this browser")
        save.click()
        expect(save).to_have_attribute("data-waiting", "")
        assert page.locator("html").get_attribute("data-ready") == "0"
        held.release(page)
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        state = page.locator("#transfer-state")
        expect(state).to_have_attribute("data-state", re.compile("."), timeout=60_000)
        assert state.get_attribute("data-state") == "verified", state.text_content()
        expect(page.locator("#received-files a")).to_have_count(2)
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
    assert send_rc == 0, sent


def test_a_link_without_its_token_says_so_before_python(
    page: Page, live_server: LiveServer
) -> None:
    HeldWheel(page)
    page.goto(f"{live_server.url}/p/AAAAAAAAAAAAAAAAAAAAAA#wrong-token")
    expect(page.locator("#offer-summary")).to_contain_text("open the whole link again")
