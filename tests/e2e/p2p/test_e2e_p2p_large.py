"""512 MiB from one browser to another, with the receiver's memory checked to stay bounded.

The receiver's page records, after every batch it writes, the size of Pyodide's WebAssembly
memory plus the JS heap in use (``performance.memory``, made precise by
--enable-precise-memory-info; garbage not yet collected counts too). The peak must stay under
half the file, and the second half of the file may not need much more than the first: the
bytes go to OPFS as they arrive, so memory does not grow with the file. Measured here: 512 MiB
in ~40 s, peaks ~133 MiB (first half) and ~151 MiB (second half).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import LiveServer, launch_chromium
from tests.e2e.p2p.p2p_pages import P2P_ARGS, start_python_in_page
from tests.e2e.python_snapshot import start_contexts_from_snapshot

if TYPE_CHECKING:  # Playwright declares its cookie type here and re-exports it nowhere public
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.e2e
SIZE = 512 * 1024 * 1024
BLOCK = 64 * 1024
MEMORY_BOUND = SIZE // 2  # wasm + JS heap (garbage included) stay under half the file
GROWTH_ALLOWED = 64 * 1024 * 1024  # the second half of the file may not need much more


@pytest.fixture(scope="module")
def big_browser(
    tmp_path_factory: pytest.TempPathFactory,
    live_server: LiveServer,
    session_cookies: list[SetCookieParam],
) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        args = [*P2P_ARGS, "--enable-precise-memory-info"]
        launched = launch_chromium(playwright, args, tmp_path_factory.mktemp("chromium"))
        # Both pages start Python from the snapshot, as in every other e2e browser: without
        # it each started from nothing, seconds of CPU before the transfer could begin.
        start_contexts_from_snapshot(launched, live_server.url, session_cookies, tmp_path_factory)
        yield launched
        launched.close()


def expected_sha256() -> str:
    digest = hashlib.sha256()
    block = hashlib.sha256(b"large").digest() * (BLOCK // 32)
    for _ in range(SIZE // BLOCK):
        digest.update(block)
    return digest.hexdigest()


SENDER = f"""
    import hashlib, js
    from pyodide.ffi import to_js
    from syncoxide_web.p2p.files import BlobSources
    from syncoxide_web.p2p.transfer import send_blobs

    block = to_js(hashlib.sha256(b"large").digest() * ({BLOCK} // 32))
    big = js.Blob.new(to_js([block] * ({SIZE} // {BLOCK})))  # browser blob storage, not Python

    def show(room):
        js.document.body.dataset.link = room["link"]

    status = await send_blobs(js.location.origin, BlobSources([("large.bin", big)]), show)
    assert status.state == "verified", status
"""

# Started beside the sender, it waits for the link the test hands it once the sender shows
# it: Python starts in this page while the sender hashes the file (about 4 s of the test).
RECEIVER = """
    import asyncio, hashlib, js, pyodide_js
    from syncoxide_web.p2p.transfer import receive_into

    while not js.document.body.hasAttribute("data-link"):
        await asyncio.sleep(0.05)
    link = js.document.body.getAttribute("data-link")
    root = await js.navigator.storage.getDirectory()
    inbox = await root.getDirectoryHandle("{inbox}", js.Object.fromEntries([["create", True]]))
    peaks = {{"first": 0, "second": 0}}  # wasm + JS heap, while the first / second half came

    def measure(status):
        used = int(pyodide_js._module.HEAPU8.length) + int(js.performance.memory.usedJSHeapSize)
        half = "first" if status.done_bytes < {size} // 2 else "second"
        peaks[half] = max(peaks[half], used)

    started = js.performance.now()
    status = await receive_into(link, inbox, measure)
    seconds = (js.performance.now() - started) / 1000
    assert status.state == "verified", status
    file = await (await inbox.getFileHandle("large.bin")).getFile()
    digest = hashlib.sha256()
    for start in range(0, int(file.size), 8 << 20):
        chunk = await file.slice(start, start + (8 << 20)).arrayBuffer()
        digest.update(js.Uint8Array.new(chunk).to_bytes())
    js.document.body.dataset.sha = digest.hexdigest()
    js.document.body.dataset.first = str(peaks["first"])
    js.document.body.dataset.second = str(peaks["second"])
    js.document.body.dataset.seconds = f"{{seconds:.1f}}"
"""


def test_512_mib_browser_to_browser_with_bounded_receiver_memory(
    big_browser: Browser, live_server: LiveServer
) -> None:
    sender_context, receiver_context = big_browser.new_context(), big_browser.new_context()
    try:
        sender, receiver = sender_context.new_page(), receiver_context.new_page()
        start_python_in_page(sender, live_server.url, SENDER)
        inbox = f"large-{time.time_ns()}"
        start_python_in_page(receiver, live_server.url, RECEIVER.format(inbox=inbox, size=SIZE))
        sender.wait_for_function("document.body && document.body.dataset.link", timeout=90_000)
        link = str(sender.evaluate("document.body.dataset.link"))
        receiver.evaluate("(link) => { document.body.dataset.link = link; }", link)
        receiver.wait_for_function(
            "document.body && document.body.dataset.result !== undefined", timeout=280_000
        )
        data = receiver.evaluate("({...document.body.dataset})")
        assert data["result"] == "ok", data["result"]
        assert data["sha"] == expected_sha256()
        first, second = int(data["first"]), int(data["second"])
        print(
            f"\n512 MiB in {data['seconds']} s; receiver wasm + JS heap peaks: "
            f"{first >> 20} MiB in the first half, {second >> 20} MiB in the second"
        )
        assert max(first, second) < MEMORY_BOUND, (first, second)
        assert second < first + GROWTH_ALLOWED, "the receiver's memory grows with the file"
        sender.wait_for_function("document.body.dataset.result !== undefined", timeout=30_000)
        assert sender.evaluate("document.body.dataset.result") == "ok"
    finally:
        sender_context.close()
        receiver_context.close()
        # OPFS of a closed context is gone with it: nothing is left on disk.
