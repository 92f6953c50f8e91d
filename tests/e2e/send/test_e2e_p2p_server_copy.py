"""The receive page finishing from the sender's server copy after the sender's page closed
mid-transfer: no click, files already verified not fetched again, the partial file continued
by Range, every file verified; and a tampered server copy failing with nothing saved."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect
from websockets.sync.client import connect

from tests.conftest import LiveServer, account_token
from tests.e2e.p2p.p2p_pages import p2p_browser
from tests.e2e.send.send_view_pages import hold_data_after, link_of, open_send_view, stored_hashes
from tests.e2e.send.test_e2e_send_view import final_state, open_receive_page, pattern, sha

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]  # the fixture, shared with the other peer-to-peer tests
BIG = 20 * 1024 * 1024 + 13  # more than a 16 MiB write segment; its size adds only time
# The sender's channel carries this much of the album (21 MiB) and no more, so the receiver is
# always caught mid-way through the big file: past the 50 % a test waits for, short of the end.
HELD_AFTER = 16 * 1024 * 1024


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


# Every line the receive page shows, kept in the page, so short-lived ones can be checked.
_RECORD_STATUS_LINES = """() => {
  window.statusLines = [];
  const state = document.getElementById("transfer-state");
  new MutationObserver(() => window.statusLines.push(state.textContent))
    .observe(state, {childList: true, characterData: true, subtree: true});
}"""


@dataclass
class AlbumSent:
    tree: Path
    sender: Page
    link: str
    share_id: str


@pytest.fixture
def album_sent(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> Iterator[AlbumSent]:
    """The album on its way from the Send view, with "also upload", its copy ready."""
    tree = _album(tmp_path)
    context = p2p_browser.new_context()
    try:
        sender = open_send_view(context, live_server, session_cookies)
        hold_data_after(sender, HELD_AFTER)
        link, share_id = _send_with_copy(sender, tree)
        yield AlbumSent(tree, sender, link, share_id)
    finally:
        context.close()


def _share(live_server: LiveServer, share_id: str) -> dict[str, Any]:
    answer = httpx2.get(f"{live_server.url}/api/v1/shares/{share_id}", timeout=10)
    answer.raise_for_status()
    described: dict[str, Any] = answer.json()
    return described


def _receive_until_midway(
    browser: Browser, link: str, percent: int = 25
) -> tuple[Page, list[Request]]:
    """A receive page (browser storage), and the share downloads it asks for, once it has
    verified the small files and is part-way through the big one."""
    receiver = open_receive_page(browser, link)
    fetched: list[Request] = []
    receiver.on("request", lambda r: fetched.append(r) if "/files/" in r.url else None)
    receiver.wait_for_function(  # a function, not an expression: the page's CSP forbids eval
        f"() => document.getElementById('transfer-progress').value > {percent}", timeout=90_000
    )
    return receiver, fetched


def _only_the_rest_of_the_movie_was_fetched(
    fetched: list[Request], live_server: LiveServer, share_id: str
) -> None:
    """Every share download the page made was the big file, from a byte past its start; and
    the server counted one download (the first Range request carried no ticket yet)."""
    share = _share(live_server, share_id)
    (movie,) = [f["download_url"] for f in share["files"] if f["path"].endswith("movie.bin")]
    assert fetched, "nothing was fetched from the server copy"
    for request in fetched:
        assert request.url.endswith(movie), request.url
        asked = re.fullmatch(r"bytes=(\d+)-", request.headers.get("range", ""))
        assert asked and 0 < int(asked.group(1)) < BIG, request.headers
    assert share["downloads"] == 1


def test_receive_page_finishes_from_the_server_copy_when_the_sender_leaves_mid_transfer(
    album_sent: AlbumSent, p2p_browser: Browser, live_server: LiveServer
) -> None:
    receiver, fetched = _receive_until_midway(p2p_browser, album_sent.link)
    cuts: list[str] = []

    def cut_the_first_download(route: Route) -> None:
        if cuts:
            route.continue_()
        else:
            cuts.append(route.request.url)
            route.abort("connectionreset")

    receiver.route(re.compile(r"/s/[\w-]+/files/\d+$"), cut_the_first_download)
    receiver.evaluate(_RECORD_STATUS_LINES)
    album_sent.sender.close()  # the sender's page goes away mid-file; the recipient does nothing
    state = final_state(receiver, "#transfer-state", timeout=120_000)
    assert state.startswith("verified") and "server copy" in state, state
    assert receiver.url.startswith(album_sent.link.split("#")[0])  # it stayed on its page
    assert stored_hashes(receiver) == _expected(album_sent.tree)  # the tree, every file verified
    assert len(cuts) == 1 and len(fetched) == 2, [r.url for r in fetched]  # cut once, taken up
    lines = receiver.evaluate("window.statusLines")
    assert any(
        line.startswith("Receiving from the sender's server copy:") and "MB/s" in line
        for line in lines
    ), lines
    _only_the_rest_of_the_movie_was_fetched(fetched, live_server, album_sent.share_id)


def test_a_receive_page_reloaded_after_the_sender_left_carries_on_from_the_server_copy(
    album_sent: AlbumSent, p2p_browser: Browser, live_server: LiveServer
) -> None:
    # Past half of the album: megabytes of the big file are written and survive a reload.
    receiver, fetched = _receive_until_midway(p2p_browser, album_sent.link, percent=50)
    album_sent.sender.close()
    receiver.reload()  # no click after it: the page carries on into the same storage
    expect(receiver.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    state = final_state(receiver, "#transfer-state", timeout=120_000)
    assert state.startswith("verified") and "server copy" in state, state
    assert stored_hashes(receiver) == _expected(album_sent.tree)
    _only_the_rest_of_the_movie_was_fetched(fetched, live_server, album_sent.share_id)


def test_a_tampered_server_copy_fails_clearly_and_nothing_is_saved_under_its_name(
    album_sent: AlbumSent, p2p_browser: Browser, live_server: LiveServer
) -> None:
    _tamper_the_end_of(live_server, album_sent.share_id, BIG)
    receiver, _ = _receive_until_midway(p2p_browser, album_sent.link)
    album_sent.sender.close()
    state = final_state(receiver, "#transfer-state", timeout=120_000)
    assert state.startswith("failed"), state
    assert "movie.bin" in state and "SHA-256 does not match" in state, state
    stored = stored_hashes(receiver)
    assert not [path for path in stored if "movie.bin" in path], stored  # nor its segments
    photo = album_sent.tree / "a" / "photo.bin"
    assert stored["album/a/photo.bin"] == sha(photo.read_bytes())  # verified: kept


def _tamper_the_end_of(live_server: LiveServer, share_id: str, size: int) -> None:
    """Change the stored copy's last bytes behind the server's back (its listing still holds
    the SHA-256 it computed at upload)."""
    blobs = list((live_server.data_dir / "blobs" / "links" / f"l{share_id}").rglob("*"))
    (blob,) = [b for b in blobs if b.is_file() and b.stat().st_size == size]
    data = bytearray(blob.read_bytes())
    data[-100:] = bytes(100)
    blob.write_bytes(bytes(data))
    assert hashlib.sha256(data).hexdigest() != sha(pattern("movie", size))


def test_the_send_view_names_no_server_copy_the_server_lists_differently(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    tree = tmp_path / "trip"
    tree.mkdir()
    (tree / "map.bin").write_bytes(pattern("map", 300_000))
    (tree / "notes.txt").write_text("listed with another hash\n")

    def listing_with_a_wrong_hash(route: Route) -> None:
        answer = route.fetch()
        share = answer.json()
        for file in share.get("files", []):
            if file["path"].endswith("notes.txt"):
                file["sha256"] = "0" * 64
        route.fulfill(response=answer, json=share)

    sender_context = p2p_browser.new_context()
    try:
        sender = open_send_view(sender_context, live_server, session_cookies)
        sender.route(re.compile(r"/api/v1/shares/[\w-]+$"), listing_with_a_wrong_hash)
        sender.set_input_files("#send-folder", str(tree))
        sender.check("#send-upload")
        sender.click("#send-start")
        link = link_of(sender)
        copy_status = sender.locator("#send-copy-status")
        expect(copy_status).to_contain_text("failed", timeout=60_000)
        assert "trip/notes.txt differs" in str(copy_status.text_content())
        room, token = re.findall(r"/p/([\w-]+)#([\w-]+)", link)[0]
        described = httpx2.get(
            f"{live_server.url}/signal/rooms/{room}", headers={"X-Room-Token": token}, timeout=10
        ).json()
        # No server copy was announced (the room still describes what the sender offers).
        assert described["sender"] is True and described["fallback"] is None
    finally:
        sender_context.close()


def test_an_encrypted_server_copy_is_refused_clearly(
    tmp_path: Path, p2p_browser: Browser, live_server: LiveServer
) -> None:
    """A sender may name any share of its own; one the room gives no key for is refused,
    as ``syncoxide receive`` refuses it, rather than fetched as ciphertext."""
    token = account_token(live_server, "sealed-copier", tmp_path)
    share = httpx2.post(
        f"{live_server.url}/api/v1/shares",
        json={"title": "sealed", "encrypted": True},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    room = httpx2.post(f"{live_server.url}/signal/rooms", timeout=10).json()
    socket_url = live_server.url.replace("http://", "ws://") + f"/signal/{room['room']}"
    owner = {"Authorization": f"Bearer {token}"}  # only the share's owner may name it
    with connect(socket_url, open_timeout=5, additional_headers=owner) as sender:
        sender.send(json.dumps({"type": "join", "token": room["token"], "role": "sender"}))
        assert json.loads(sender.recv(timeout=5))["type"] == "welcome"
        sender.send(json.dumps({"type": "fallback", "url": share["url"]}))
        link = f"{live_server.url}/p/{room['room']}#{room['token']}"
        receiver = open_receive_page(p2p_browser, link)
        while json.loads(sender.recv(timeout=60))["type"] != "peer-joined":
            pass
    state = final_state(receiver, "#transfer-state", timeout=60_000)  # the sender left
    assert state.startswith("failed") and "end-to-end encrypted" in state, state
    assert receiver.url.startswith(f"{live_server.url}/p/")
