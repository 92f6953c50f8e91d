"""A hostile or unusual sender against the browser receiver (Python in the page, into OPFS).

The browser receiver peels DATA frames off in JavaScript (web/static/p2p-data.js), lets the
session check each header before the payload goes to the writer worker, and has the worker
hash. These tests drive that path with frames a real sender never sends: more bytes than
announced, content that does not match its hash, a header announcing an impossible size, and a
valid transfer cut into messages at arbitrary places (frames split across messages and joined
in one). The sender is an aiortc peer in this process, speaking raw frames. Each test runs with
both ways the worker writes: OPFS files in place, and the segments a picked folder gets.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import threading
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from syncoxide.errors import PeerGoneError
from syncoxide.native.p2p.channel import IcePolicy, negotiate
from syncoxide.native.p2p.signal import SignalingClient, create_room
from syncoxide.protocol.events import Data
from syncoxide.protocol.frames import HEADER, encode_event
from tests.conftest import LiveServer
from tests.e2e.p2p.p2p_pages import (
    OPFS_DIGESTS,
    RECORD_WRITER,
    WRITERS,
    p2p_browser,
    page_code,
    start_python_in_page,
)

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]
WORKER_WRITERS = [name for name in sorted(WRITERS) if name.endswith(", worker")]

RECEIVE = """
    import js
    from pyodide.ffi import JsException
    from syncoxide.errors import SyncoxideError
    from syncoxide_web.p2p.transfer import receive_into
    root = await js.navigator.storage.getDirectory()
    inbox = await root.getDirectoryHandle("rogue", js.Object.fromEntries([["create", True]]))
    try:
        status = await receive_into({link!r}, inbox, wait=30)
        js.document.body.dataset.outcome = status.state
    except SyncoxideError as error:
        js.document.body.dataset.outcome = "error: " + str(error)
"""


def manifest_frame(files: dict[str, bytes], sizes: dict[str, int] | None = None) -> bytes:
    entries = [
        {
            "path": path,
            "size": (sizes or {}).get(path, len(content)),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        for path, content in files.items()
    ]
    body = json.dumps({"version": 1, "folders": [], "files": entries}).encode()
    return HEADER.pack(0x02, len(body)) + body


async def rogue_send(
    server: str, link_box: list[str], ready: threading.Event, messages: list[bytes]
) -> None:
    """Open a room, wait for the receiver, send the manifest, then the messages as they are."""
    address, _ = await create_room(server)
    link_box.append(address.link)
    ready.set()
    signal = await SignalingClient.join(address, "sender")
    try:
        link = await negotiate(signal, offer_now=False, ice=IcePolicy(), wait=60)
        await asyncio.wait_for(link.receive(), 20)  # the receiver's HELLO
        await link.send(messages[0])  # the manifest
        await asyncio.wait_for(link.receive(), 20)  # its REQUEST and CREDIT
        for message in messages[1:]:
            await link.send(message)  # each below 256 KiB: one data channel message
        for _ in range(50):  # what the receiver says back, until it closes
            try:
                await asyncio.wait_for(link.receive(), 0.5)
            except PeerGoneError:  # closed: nothing more comes (waiting on cost 5 s a test)
                break
            except Exception:
                await asyncio.sleep(0.1)
    finally:
        await signal.close()


def run_rogue(
    page: Page, server: str, messages: list[bytes], writer: str
) -> tuple[str, dict[str, Any]]:
    """The receiving page's outcome and what it left in its folder, received with ``writer``."""
    link_box: list[str] = []
    ready = threading.Event()
    failures: list[BaseException] = []

    def sender() -> None:
        try:
            asyncio.run(rogue_send(server, link_box, ready, messages))
        except BaseException as error:
            failures.append(error)
            ready.set()

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    assert ready.wait(20) and link_box, failures
    code = page_code(WRITERS[writer], RECORD_WRITER, RECEIVE.format(link=link_box[0]))
    start_python_in_page(page, server, code)
    page.wait_for_function("document.body && document.body.dataset.outcome", timeout=90_000)
    assert page.evaluate("document.body.dataset.result") == "ok"
    assert page.evaluate("document.body.dataset.writer") == writer
    outcome = str(page.evaluate("document.body.dataset.outcome"))
    listing = page.evaluate(OPFS_DIGESTS, ["rogue"])
    thread.join(40)
    return outcome, listing


@pytest.fixture()
def page(p2p_browser: Browser) -> Any:
    context = p2p_browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("writer", WORKER_WRITERS)
def test_more_than_announced_is_refused_before_anything_is_written(
    page: Page, live_server: LiveServer, writer: str
) -> None:
    messages = [manifest_frame({"small.txt": b"abc"}), encode_event(Data(0, 0, b"abcdefghij"))]
    outcome, listing = run_rogue(page, live_server.url, messages, writer)
    assert "more of small.txt than its announced size" in outcome
    assert listing == {}, "nothing is written for a refused frame"


@pytest.mark.parametrize("writer", WORKER_WRITERS)
def test_content_not_matching_its_hash_leaves_nothing_behind(
    page: Page, live_server: LiveServer, writer: str
) -> None:
    messages = [manifest_frame({"small.txt": b"abc"}), encode_event(Data(0, 0, b"xyz"))]
    outcome, listing = run_rogue(page, live_server.url, messages, writer)
    assert "SHA-256 does not match" in outcome
    assert listing == {}, "the damaged partial file was not dropped"


@pytest.mark.parametrize("writer", WORKER_WRITERS)
def test_a_frame_announcing_an_impossible_size_is_refused(
    page: Page, live_server: LiveServer, writer: str
) -> None:
    broken = HEADER.pack(0x05, 1024 * 1024) + b"\0" * 64
    messages = [manifest_frame({"a.txt": b"abc"}), broken]
    outcome, listing = run_rogue(page, live_server.url, messages, writer)
    assert "over the" in outcome and "limit" in outcome
    assert "a.txt" not in listing


@pytest.mark.parametrize("writer", WORKER_WRITERS)
def test_frames_split_and_joined_across_messages_still_arrive_verified(
    page: Page, live_server: LiveServer, writer: str
) -> None:
    big = hashlib.sha256(b"big").digest() * 10_000  # 320,000 bytes: DATA frames of 100,000
    files = {"big.bin": big, "tiny.txt": b"hello"}
    stream = b"".join(
        [encode_event(Data(0, at, big[at : at + 100_000])) for at in range(0, len(big), 100_000)]
        + [encode_event(Data(1, 0, b"hello"))]
    )
    cuts = [0, 3, 17, 60_000, 100_020, 100_021, 250_000, 310_000, len(stream)]  # odd places
    messages = [manifest_frame(files)] + [stream[a:b] for a, b in itertools.pairwise(cuts)]
    outcome, listing = run_rogue(page, live_server.url, messages, writer)
    assert outcome == "verified"
    assert listing["tiny.txt"] == hashlib.sha256(b"hello").hexdigest()
    assert listing["big.bin"] == hashlib.sha256(big).hexdigest()
    assert not [name for name in listing if name.startswith(".")], "a partial file was left"
