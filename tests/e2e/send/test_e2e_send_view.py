"""The app's Send view end to end: a folder to a receive page in another browser, verified;
the server copy taking over when the sender's page is gone; a closed sender page resumed."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.e2e.p2p.p2p_pages import p2p_browser
from tests.e2e.send.send_view_pages import hold_data_after, link_of, open_send_view, stored_hashes

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]  # the fixture, shared with the other peer-to-peer tests


def pattern(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_receive_page(browser: Browser, link: str) -> Page:
    receiver = browser.new_context().new_page()
    receiver.goto(link)
    expect(receiver.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    receiver.click("#save-in-browser")
    return receiver


# Of a 64 MiB file, what a first sender page carries before the test closes it (past the 30 %
# it waits for, short of the end).
HELD_AFTER = 48 * 1024 * 1024


def start_and_receive_until(
    sender: Page, browser: Browser, *, percent: int, hold_after: int | None = None
) -> Page:
    """Press Send, open the link in another context, return once ``percent`` has arrived.
    With ``hold_after``, the sender's channel stops carrying data after that many bytes, so a
    test that then closes the sender finds the receiver mid-file, not already verified."""
    if hold_after is not None:
        hold_data_after(sender, hold_after)
    sender.click("#send-start")
    receiver = open_receive_page(browser, link_of(sender))
    receiver.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        f"() => document.getElementById('transfer-progress').value > {percent}", timeout=90_000
    )
    return receiver


def final_state(page: Page, selector: str, timeout: float = 90_000) -> str:
    state = page.locator(selector)
    expect(state).to_have_attribute(
        "data-state", re.compile("verified|failed|cancelled"), timeout=timeout
    )
    return f"{state.get_attribute('data-state')}: {state.text_content()}"


def test_a_folder_goes_from_the_send_view_to_a_receive_page_verified(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    tree = tmp_path / "album"
    (tree / "day 1").mkdir(parents=True)
    (tree / "big.bin").write_bytes(pattern("big", 3 * 1024 * 1024 + 5))
    (tree / "day 1" / "note.txt").write_text("from the Send view\n")
    expected = {
        p.relative_to(tmp_path).as_posix(): sha(p.read_bytes())
        for p in tree.rglob("*")
        if p.is_file()
    }
    sender_context = p2p_browser.new_context()
    try:
        sender = open_send_view(sender_context, live_server, session_cookies)
        sender.set_input_files("#send-folder", str(tree))
        expect(sender.locator("#send-picked")).to_contain_text("2 files")
        sender.click("#send-start")
        link = link_of(sender)
        code = sender.locator("#send-code").inner_text()
        assert re.fullmatch(r"\w{4}-\w{4}", code), code
        expect(sender.locator("#send-command")).to_contain_text(f"syncoxide receive {code}")
        receiver = open_receive_page(p2p_browser, link)
        assert final_state(receiver, "#transfer-state").startswith("verified")
        assert final_state(sender, "#send-status").startswith("verified")
        assert stored_hashes(receiver) == expected
        # A verified transfer is not offered for resuming.
        expect(sender.locator("#send-unfinished-box")).to_be_hidden()
    finally:
        sender_context.close()


def test_the_link_is_shown_while_the_files_are_checked_and_works_at_once(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    movie = tmp_path / "movie.bin"
    movie.write_bytes(pattern("movie", 96 * 1024 * 1024))  # about a second of SHA-256 here
    sender_context = p2p_browser.new_context()
    try:
        sender = open_send_view(sender_context, live_server, session_cookies)
        sender.set_input_files("#send-files", str(movie))
        expect(sender.locator("#send-picked")).to_contain_text("1 file")
        sender.click("#send-start")
        sender.wait_for_function(  # a function, not an expression: the app's CSP forbids eval
            "() => document.getElementById('send-link').textContent.includes('/p/')"
            " && document.getElementById('send-status').textContent.includes('Checking')",
            timeout=30_000,
            polling="raf",
        )
        # Opened while the sender is still checking: it joins the room before the sender does.
        receiver = open_receive_page(p2p_browser, link_of(sender))
        assert final_state(receiver, "#transfer-state").startswith("verified")
        assert final_state(sender, "#send-status").startswith("verified")
        assert stored_hashes(receiver) == {"movie.bin": sha(movie.read_bytes())}
    finally:
        sender_context.close()


def test_receiver_falls_back_to_the_server_copy_when_the_sender_page_is_gone(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(pattern("report", 2 * 1024 * 1024 + 11))
    sender_context = p2p_browser.new_context()
    try:
        sender = open_send_view(sender_context, live_server, session_cookies)
        sender.set_input_files("#send-files", str(report))
        sender.check("#send-upload")
        sender.click("#send-start")
        link = link_of(sender)
        expect(sender.locator("#send-copy-status")).to_contain_text("ready", timeout=60_000)
        sender.close()  # the sender's page is gone before the recipient comes
        receiver = p2p_browser.new_context().new_page()
        receiver.goto(link)  # and nothing else: no click, no choice
        receiver.wait_for_url(re.compile(r"/s/[\w-]+$"), timeout=30_000)
        download = receiver.locator("a", has_text="report.pdf").first
        href = str(download.get_attribute("href"))
        body = httpx2.get(f"{live_server.url}{href}", timeout=30).content
        assert sha(body) == sha(report.read_bytes())
    finally:
        sender_context.close()


def test_sender_page_closed_mid_transfer_resumes_after_the_same_file_is_picked_again(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    size = 64 * 1024 * 1024
    movie = tmp_path / "movie.bin"
    movie.write_bytes(pattern("movie", size))
    sender_context = p2p_browser.new_context()  # one context: the reopened page sees its storage
    try:
        first = open_send_view(sender_context, live_server, session_cookies)
        first.set_input_files("#send-files", str(movie))
        receiver = start_and_receive_until(first, p2p_browser, percent=30, hold_after=HELD_AFTER)
        first.close()  # like closing the tab mid-file
        expect(receiver.locator("#transfer-state")).to_contain_text("waiting", timeout=10_000)
        second = open_send_view(sender_context, live_server, session_cookies)
        expect(second.locator("#send-unfinished li")).to_have_count(1)
        other = tmp_path / "other.bin"
        other.write_bytes(pattern("other", size))
        second.set_input_files("#send-files", str(other))
        second.click("#send-unfinished button[data-resume]")
        expect(second.locator("#send-status")).to_contain_text("not the files", timeout=30_000)
        second.set_input_files("#send-files", str(movie))
        second.click("#send-unfinished button[data-resume]")
        assert final_state(receiver, "#transfer-state").startswith("verified")
        assert final_state(second, "#send-status").startswith("verified")
        resumed = int(str(second.locator("#send-status").get_attribute("data-resumed-from")))
        assert resumed >= 16 * 1024 * 1024, "the receiver's committed segments were re-sent"
        assert stored_hashes(receiver) == {"movie.bin": sha(movie.read_bytes())}
        expect(second.locator("#send-unfinished-box")).to_be_hidden()
    finally:
        sender_context.close()


# The folder picker's answer, in a test: a folder in the page's private storage. Its handle is
# a real FileSystemDirectoryHandle, stored in IndexedDB and reopened like a picked one.
PICKER_GIVES_OUTBOX = """
window.showDirectoryPicker = async () => {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle("outbox")).getDirectoryHandle("album");
};
"""

FILL_OUTBOX = """async (size) => {
  const root = await navigator.storage.getDirectory();
  const album = await (await root.getDirectoryHandle("outbox", {create: true}))
    .getDirectoryHandle("album", {create: true});
  await album.getDirectoryHandle("empty", {create: true});
  const block = new Uint8Array(65536).map((_, i) => i % 251);
  const out = await (await album.getFileHandle("big.bin", {create: true})).createWritable();
  for (let done = 0; done < size; done += block.length) await out.write(block);
  await out.close();
}"""


def test_folder_picked_with_file_system_access_resumes_without_picking_again(
    p2p_browser: Browser, live_server: LiveServer, session_cookies: list[dict[str, Any]]
) -> None:
    size = 64 * 1024 * 1024
    sender_context = p2p_browser.new_context()
    sender_context.add_init_script(PICKER_GIVES_OUTBOX)
    try:
        first = open_send_view(sender_context, live_server, session_cookies)
        first.evaluate(FILL_OUTBOX, size)
        first.click("#send-pick-folder")
        expect(first.locator("#send-picked")).to_contain_text("1 file,")
        receiver = start_and_receive_until(first, p2p_browser, percent=30, hold_after=HELD_AFTER)
        first.close()
        second = open_send_view(sender_context, live_server, session_cookies)
        second.click("#send-unfinished button[data-resume]")  # nothing picked on this page
        assert final_state(receiver, "#transfer-state").startswith("verified")
        assert final_state(second, "#send-status").startswith("verified")
        assert int(str(second.locator("#send-status").get_attribute("data-resumed-from"))) > 0
        block = bytes(i % 251 for i in range(65536))
        assert stored_hashes(receiver) == {"album/big.bin": sha(block * (size // 65536))}
        empty_arrived = receiver.evaluate(
            """async () => { const root = await navigator.storage.getDirectory();
            const album = await (await root.getDirectoryHandle("received"))
              .getDirectoryHandle("album");
            return !!(await album.getDirectoryHandle("empty")); }"""
        )
        assert empty_arrived, "the empty folder did not keep its place in the tree"
    finally:
        sender_context.close()


def test_cancel_on_the_receiving_end_shows_cancelled_on_both(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    movie = tmp_path / "long.bin"
    movie.write_bytes(pattern("long", 64 * 1024 * 1024))
    sender_context = p2p_browser.new_context()
    try:
        sender = open_send_view(sender_context, live_server, session_cookies)
        sender.set_input_files("#send-files", str(movie))
        receiver = start_and_receive_until(sender, p2p_browser, percent=5)
        receiver.click("#cancel-receive")
        assert final_state(receiver, "#transfer-state").startswith("cancelled")
        sent = final_state(sender, "#send-status", timeout=30_000)
        assert sent.startswith("cancelled") and "receiver cancelled" in sent, sent
        expect(sender.locator("#send-unfinished-box")).to_be_hidden()
    finally:
        sender_context.close()
