"""The receive page finishing from the sender's server copy after the sender's page closed
mid-transfer: no click, files already verified not fetched again, the partial file continued
by Range, every file verified; and a tampered server copy failing with nothing saved."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.conftest import LiveServer
from tests.e2e.p2p_pages import p2p_browser
from tests.e2e.send_view_pages import link_of, open_send_view, stored_hashes
from tests.e2e.test_e2e_send_view import final_state, open_receive_page, pattern, sha

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]  # the fixture, shared with the other peer-to-peer tests
BIG = 40 * 1024 * 1024 + 13  # seconds peer to peer here: room to close the sender mid-way


def _album(root: Path) -> Path:
    tree = root / "album"
    (tree / "a").mkdir(parents=True)
    (tree / "b" / "deep").mkdir(parents=True)
    (tree / "a" / "note.txt").write_text("sent first, verified peer to peer\n")
    (tree / "a" / "photo.bin").write_bytes(pattern("photo", 1024 * 1024 + 3))
    (tree / "b" / "deep" / "movie.bin").write_bytes(pattern("movie", BIG))
    return tree


def _expected(tree: Path) -> dict[str, str]:
    return {
        p.relative_to(tree.parent).as_posix(): sha(p.read_bytes())
        for p in tree.rglob("*")
        if p.is_file()
    }


def _send_with_copy(sender: Page, tree: Path) -> tuple[str, str]:
    """Send ``tree`` with "also upload"; (the link, the share id) once the copy is ready."""
    sender.set_input_files("#send-folder", str(tree))
    expect(sender.locator("#send-picked")).to_contain_text("3 files")
    sender.check("#send-upload")
    sender.click("#send-start")
    link = link_of(sender)
    copy_status = sender.locator("#send-copy-status")
    expect(copy_status).to_contain_text("ready", timeout=90_000)
    found = re.search(r"/s/([\w-]+)", str(copy_status.text_content()))
    assert found, copy_status.text_content()
    return link, found.group(1)


def _share(live_server: LiveServer, share_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{live_server.url}/api/v1/shares/{share_id}", timeout=10)
    answer.raise_for_status()
    described: dict[str, Any] = answer.json()
    return described


def _receive_until_midway(browser: Browser, link: str) -> tuple[Page, list[Request]]:
    """A receive page (browser storage), and the share downloads it asks for, once it has
    verified the small files and is part-way through the big one."""
    receiver = open_receive_page(browser, link)
    fetched: list[Request] = []
    receiver.on("request", lambda r: fetched.append(r) if "/files/" in r.url else None)
    receiver.wait_for_function(
        "document.getElementById('transfer-progress').value > 25", timeout=90_000
    )
    return receiver, fetched


def test_receive_page_finishes_from_the_server_copy_when_the_sender_leaves_mid_transfer(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    tree = _album(tmp_path)
    sender_context = p2p_browser.new_context()
    try:
        sender = open_send_view(sender_context, live_server, session_cookies)
        link, share_id = _send_with_copy(sender, tree)
        receiver, fetched = _receive_until_midway(p2p_browser, link)
        sender.close()  # the sender's page goes away mid-file; the recipient does nothing
        state = final_state(receiver, "#transfer-state", timeout=120_000)
        assert state.startswith("verified"), state
        assert "server copy" in state
        assert receiver.url.startswith(link.split("#")[0])  # it stayed on the receive page
        assert stored_hashes(receiver) == _expected(tree)  # the tree, every file verified
        # Only the unfinished file was fetched, and only from where it stopped.
        movie = [r for r in fetched if "/files/" in r.url]
        assert len(movie) == 1, [r.url for r in movie]
        asked = re.fullmatch(r"bytes=(\d+)-", movie[0].headers.get("range", ""))
        assert asked and 0 < int(asked.group(1)) < BIG, movie[0].headers
        # Server side: one counted download (the Range request, which carried no ticket yet).
        assert _share(live_server, share_id)["downloads"] == 1
    finally:
        sender_context.close()


def test_a_tampered_server_copy_fails_clearly_and_nothing_is_saved_under_its_name(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    tree = _album(tmp_path)
    sender_context = p2p_browser.new_context()
    try:
        sender = open_send_view(sender_context, live_server, session_cookies)
        link, share_id = _send_with_copy(sender, tree)
        _tamper_the_end_of(live_server, share_id, BIG)
        receiver, _ = _receive_until_midway(p2p_browser, link)
        sender.close()
        state = final_state(receiver, "#transfer-state", timeout=120_000)
        assert state.startswith("failed"), state
        assert "movie.bin" in state and "SHA-256 does not match" in state, state
        stored = stored_hashes(receiver)
        assert "album/b/deep/movie.bin" not in stored
        assert not [path for path in stored if "movie.bin" in path], stored  # no segments
        photo = tree / "a" / "photo.bin"
        assert stored["album/a/photo.bin"] == sha(photo.read_bytes())  # verified: kept
    finally:
        sender_context.close()


def _tamper_the_end_of(live_server: LiveServer, share_id: str, size: int) -> None:
    """Change the stored copy's last bytes behind the server's back (its listing still holds
    the SHA-256 it computed at upload)."""
    blobs = list((live_server.data_dir / "blobs" / "links" / f"l{share_id}").rglob("*"))
    (blob,) = [b for b in blobs if b.is_file() and b.stat().st_size == size]
    data = bytearray(blob.read_bytes())
    data[-100:] = bytes(100)
    blob.write_bytes(bytes(data))
    assert hashlib.sha256(data).hexdigest() != sha(pattern("movie", size))
