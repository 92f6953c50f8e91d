"""Peer-to-peer between Chromium (Python in the page) and the CLI, both ways, through a live server.

Chromium runs with --disable-features=WebRtcHideLocalIpsWithMdns (tests/conftest.py), so its
host candidates are plain addresses aiortc can reach; no ICE server is used anywhere (the relay
has its own test, test_e2e_p2p_turn.py).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import LiveServer
from tests.e2e.browser_python import run_python_in_page
from tests.e2e.p2p.p2p_pages import (
    OPFS_DIGESTS,
    RECORD_WRITER,
    WRITERS,
    p2p_browser,
    page_code,
    start_python_in_page,
)
from tests.native.p2p.p2p_processes import start_cli, wait_for_link

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]  # the fixture, shared with the other peer-to-peer tests
BIG = 6 * 1024 * 1024 + 7


def pattern(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture()
def page(p2p_browser: Browser) -> Iterator[Page]:
    context = p2p_browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_cli_sends_a_folder_to_the_browser(
    tmp_path: Path, page: Page, live_server: LiveServer, writer: str
) -> None:
    tree = tmp_path / "album"
    (tree / "nested").mkdir(parents=True)
    (tree / "empty").mkdir()
    (tree / "big.bin").write_bytes(pattern("big", BIG))
    (tree / "nested" / "note.txt").write_text("hello from the CLI\n")
    (tree / "nested" / "nothing.txt").write_bytes(b"")
    expected = {
        p.relative_to(tmp_path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in tree.rglob("*")
        if p.is_file()
    }
    sender = start_cli(
        ["send", str(tree), "--server", live_server.url, "--wait", "90"], tmp_path / "send.log"
    )
    try:
        link, _ = wait_for_link(sender)
        result = run_python_in_page(
            page,
            live_server.url,
            page_code(
                WRITERS[writer],
                RECORD_WRITER,
                f"""
            import hashlib, js
            from syncoxide_web.p2p.transfer import receive_into
            root = await js.navigator.storage.getDirectory()
            create = js.Object.fromEntries([["create", True]])
            inbox = await root.getDirectoryHandle("p2p-inbox-{time.time_ns()}", create)
            status = await receive_into({link!r}, inbox)
            assert status.state == "verified", status

            async def digest(folder, path):
                *parents, name = path.split("/")
                for part in parents:
                    folder = await folder.getDirectoryHandle(part)
                data = await (await (await folder.getFileHandle(name)).getFile()).arrayBuffer()
                return hashlib.sha256(js.Uint8Array.new(data).to_bytes()).hexdigest()

            expected = {expected!r}
            for path, sha in expected.items():
                assert await digest(inbox, path) == sha, path
            await inbox.getDirectoryHandle("album").then(lambda d: d.getDirectoryHandle("empty"))
            names, listing = [], (await inbox.getDirectoryHandle("album")).keys()
            while not (step := await listing.next()).done:
                names.append(step.value)
            assert not [name for name in names if "syncoxide-par" in name], names
            assert js.document.body.dataset.writer == {writer!r}, js.document.body.dataset.writer
            """,
            ),
        )
        assert result == "ok", result + sender.output()
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
    assert send_rc == 0, sent


def test_browser_sends_files_to_the_cli(
    tmp_path: Path, page: Page, live_server: LiveServer
) -> None:
    start_python_in_page(
        page,
        live_server.url,
        f"""
        import hashlib, js
        from pyodide.ffi import to_js
        from syncoxide_web.p2p.files import BlobSources
        from syncoxide_web.p2p.transfer import send_blobs

        block = hashlib.sha256(b"big").digest() * 2048
        data = (block * ({BIG} // len(block) + 1))[:{BIG}]
        big = js.Blob.new(to_js([to_js(data)]))
        note = js.Blob.new(to_js(["hello from the browser\\n"]))
        sources = BlobSources([("gift/big.bin", big), ("gift/sub/note.txt", note)], ("gift/empty",))

        def show(room):
            js.document.body.dataset.link = room["link"]

        status = await send_blobs(js.location.origin, sources, show)
        assert status.state == "verified", status
        """,
    )
    page.wait_for_function("document.body && document.body.dataset.link", timeout=60_000)
    link = str(page.evaluate("document.body.dataset.link"))
    out = tmp_path / "out"
    receiver = start_cli(["receive", link, "-o", str(out), "--wait", "60"], tmp_path / "recv.log")
    rc, output = receiver.wait(90)
    page.wait_for_function("document.body.dataset.result !== undefined", timeout=30_000)
    assert rc == 0, output
    assert page.evaluate("document.body.dataset.result") == "ok"
    assert (out / "gift" / "big.bin").read_bytes() == pattern("big", BIG)
    assert (out / "gift" / "sub" / "note.txt").read_text() == "hello from the browser\n"
    assert (out / "gift" / "empty").is_dir()


def test_the_sender_is_told_how_far_hashing_got(page: Page, live_server: LiveServer) -> None:
    result = run_python_in_page(
        page,
        live_server.url,
        """
        import hashlib, js
        from pyodide.ffi import to_js
        from syncoxide_web.p2p.files import HASH_READ, BlobSources
        data = bytes(range(256)) * (HASH_READ * 5 // 2 // 256)  # two and a half reads
        blobs = [js.Blob.new(to_js([to_js(part)])) for part in (data, b"x")]
        seen = []
        sources = BlobSources([("a.bin", blobs[0]), ("b.bin", blobs[1])])
        manifest = await sources.hash_all(lambda done, total: seen.append((done, total)))
        total = len(data) + 1
        expected = [(HASH_READ, total), (2 * HASH_READ, total), (len(data), total), (total, total)]
        assert seen == expected, seen
        assert manifest.files[0].sha256 == hashlib.sha256(data).digest()
        """,
    )
    assert result == "ok", result


def test_a_file_that_shrinks_after_hashing_fails_both_ends_clearly(
    tmp_path: Path, page: Page, live_server: LiveServer
) -> None:
    """The browser sender reads files again while sending (in JavaScript): a file that no
    longer has the bytes it was hashed with stops the transfer, with the reason on both ends."""
    start_python_in_page(
        page,
        live_server.url,
        f"""
        import js
        from pyodide.ffi import to_js
        from syncoxide.errors import LocalProtocolError
        from syncoxide_web.p2p.files import BlobSources
        from syncoxide_web.p2p.transfer import send_blobs

        data = bytes(range(256)) * ({BIG} // 256)
        real = js.Blob.new(to_js([to_js(data)]))
        # Whole for the hashing (one read), 1,000 bytes short for every read after it.
        shrinking = js.eval({SHRINKING!r})(real)
        sources = BlobSources([("shrinks.bin", shrinking)])

        def show(room):
            js.document.body.dataset.link = room["link"]

        try:
            await send_blobs(js.location.origin, sources, show)
        except LocalProtocolError as error:
            js.document.body.dataset.error = str(error)
        """,
    )
    page.wait_for_function("document.body && document.body.dataset.link", timeout=60_000)
    link = str(page.evaluate("document.body.dataset.link"))
    out = tmp_path / "out"
    receiver = start_cli(["receive", link, "-o", str(out), "--wait", "60"], tmp_path / "recv.log")
    rc, output = receiver.wait(90)
    page.wait_for_function("document.body.dataset.result !== undefined", timeout=30_000)
    assert page.evaluate("document.body.dataset.result") == "ok"
    assert "changed on disk" in str(page.evaluate("document.body.dataset.error"))
    assert rc == 1, output
    assert "changed on disk" in output
    assert not (out / "shrinks.bin").exists()


SHRINKING = (
    "(real) => { let reads = 0; return { size: real.size,"
    " slice: (a, b) => real.slice(a, reads++ ? Math.min(b, real.size - 1000) : b) }; }"
)


def test_browser_to_browser_in_two_contexts(p2p_browser: Browser, live_server: LiveServer) -> None:
    sender_context, receiver_context = p2p_browser.new_context(), p2p_browser.new_context()
    try:
        sender, receiver = sender_context.new_page(), receiver_context.new_page()
        start_python_in_page(
            sender,
            live_server.url,
            f"""
            import hashlib, js
            from pyodide.ffi import to_js
            from syncoxide_web.p2p.files import BlobSources
            from syncoxide_web.p2p.transfer import send_blobs

            block = hashlib.sha256(b"big").digest() * 2048
            data = (block * ({BIG} // len(block) + 1))[:{BIG}]
            sources = BlobSources([("pair/big.bin", js.Blob.new(to_js([to_js(data)])))])

            def show(room):
                js.document.body.dataset.link = room["link"]

            status = await send_blobs(js.location.origin, sources, show)
            assert status.state == "verified", status
            """,
        )
        sender.wait_for_function("document.body && document.body.dataset.link", timeout=60_000)
        link = str(sender.evaluate("document.body.dataset.link"))
        expected = hashlib.sha256(pattern("big", BIG)).hexdigest()
        result = run_python_in_page(
            receiver,
            live_server.url,
            f"""
            import hashlib, js
            from syncoxide_web.p2p.transfer import receive_into
            root = await js.navigator.storage.getDirectory()
            create = js.Object.fromEntries([["create", True]])
            inbox = await root.getDirectoryHandle("b2b-{time.time_ns()}", create)
            status = await receive_into({link!r}, inbox)
            assert status.state == "verified", status
            folder = await inbox.getDirectoryHandle("pair")
            data = await (await (await folder.getFileHandle("big.bin")).getFile()).arrayBuffer()
            assert hashlib.sha256(js.Uint8Array.new(data).to_bytes()).hexdigest() == {expected!r}
            """,
        )
        assert result == "ok", result
        sender.wait_for_function("document.body.dataset.result !== undefined", timeout=30_000)
        assert sender.evaluate("document.body.dataset.result") == "ok"
    finally:
        sender_context.close()
        receiver_context.close()


def test_link_printed_by_the_cli_opens_the_receive_page(
    tmp_path: Path, page: Page, live_server: LiveServer
) -> None:
    tree = tmp_path / "holiday"
    (tree / "day1").mkdir(parents=True)
    (tree / "day1" / "photo.jpg").write_bytes(pattern("photo", 300_000))
    (tree / "notes.txt").write_text("see you soon\n")
    sender = start_cli(
        ["send", str(tree), "--server", live_server.url, "--wait", "90"], tmp_path / "send.log"
    )
    try:
        link, _ = wait_for_link(sender)
        page.goto(link)
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        page.click("#save-in-browser")
        state = page.locator("#transfer-state")
        expect(state).to_have_attribute("data-state", re.compile("."), timeout=60_000)
        assert state.get_attribute("data-state") == "verified", state.text_content()
        expect(page.locator("#received-files a")).to_have_count(2)
        saved = page.locator("#received-files a").all_text_contents()
        assert "Save holiday/day1/photo.jpg" in saved
        assert "Save holiday/notes.txt" in saved
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
    assert send_rc == 0, sent


# Receives into OPFS folder {folder}, reporting bytes done and resumed in the page's dataset.
RECEIVE_REPORTING = """
        import js
        from syncoxide_web.p2p.transfer import receive_into
        root = await js.navigator.storage.getDirectory()
        inbox = await root.getDirectoryHandle({folder!r}, js.Object.fromEntries([["create", True]]))

        def report(status):
            js.document.body.dataset.done = str(status.done_bytes)
            js.document.body.dataset.resumed = str(status.resumed_from)

        status = await receive_into({link!r}, inbox, report)
        assert status.state == "verified", status
"""


def receive_with_a_reload(
    context: BrowserContext,
    server: str,
    code: str,
    close_after: int,
    before_close: Callable[[Page], None] = lambda _page: None,
) -> Page:
    """Receive in one page, close it (like closing the tab) once more than ``close_after``
    bytes were accepted, then receive again in a new page of the same context (same OPFS);
    returns the second page once it finished, successfully."""
    first = context.new_page()
    start_python_in_page(first, server, code)
    first.wait_for_function(
        f"Number(document.body && document.body.dataset.done || 0) > {close_after}",
        timeout=60_000,
    )
    before_close(first)
    first.close()
    second = context.new_page()
    start_python_in_page(second, server, code)
    second.wait_for_function("document.body.dataset.result !== undefined", timeout=90_000)
    assert second.evaluate("document.body.dataset.result") == "ok"
    return second


# True once the hidden segment folder holds a committed 16 MiB segment (an uncommitted one reads
# as empty), so closing the page then tests resuming, not the race with the commit.
COMMITTED_SEGMENTS = """async () => {
  const inbox = await (await navigator.storage.getDirectory()).getDirectoryHandle("resume");
  for await (const [name, entry] of inbox.entries()) {
    if (entry.kind !== "directory" || !name.endsWith(".syncoxide-part")) continue;
    for await (const segment of entry.values()) {
      if ((await segment.getFile()).size >= 16 * 1024 * 1024) return true;
    }
  }
  return false;
}"""


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_receiver_page_closed_mid_file_resumes_in_a_new_page(
    tmp_path: Path, p2p_browser: Browser, live_server: LiveServer, writer: str
) -> None:
    size = 40 * 1024 * 1024
    source = tmp_path / "movie.bin"
    source.write_bytes(pattern("movie", size))
    sender = start_cli(
        ["send", str(source), "--server", live_server.url, "--wait", "120"], tmp_path / "send.log"
    )
    context = p2p_browser.new_context()  # one context: both pages share its OPFS
    receive_code = WRITERS[writer] + RECORD_WRITER + RECEIVE_REPORTING

    def segment_committed(first: Page) -> None:
        if writer.startswith("DirectoryDestination"):  # a segment's commit is not waited for
            first.wait_for_function(COMMITTED_SEGMENTS, timeout=20_000)

    try:
        link, _ = wait_for_link(sender)
        # 24 MiB accepted: at least 16 MiB written, as the OPFS worker is allowed at most
        # 2 batches of 4 MiB behind (p2p_writer.QUEUED_BATCHES), lost when the page closes
        second = receive_with_a_reload(
            context,
            live_server.url,
            receive_code.format(link=link, folder="resume"),
            close_after=24 * 1024 * 1024,
            before_close=segment_committed,
        )
        resumed = int(second.evaluate("document.body.dataset.resumed"))
        assert second.evaluate("document.body.dataset.writer") == writer
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
        context.close()
    assert send_rc == 0, sent
    assert resumed >= 16 * 1024 * 1024, "the bytes written before the page closed were not reused"


def test_a_file_verified_before_a_reload_is_not_sent_again(
    tmp_path: Path, p2p_browser: Browser, live_server: LiveServer
) -> None:
    """After the receiving page reloads, a file it already verified (under its final name, in
    OPFS) is hashed again locally and counts as received: only the rest is sent."""
    first_size, second_size = 20 * 1024 * 1024, 40 * 1024 * 1024
    folder = tmp_path / "pair"
    folder.mkdir()
    (folder / "a.bin").write_bytes(pattern("a", first_size))
    (folder / "b.bin").write_bytes(pattern("b", second_size))
    sender = start_cli(
        ["send", str(folder), "--server", live_server.url, "--wait", "120"], tmp_path / "send.log"
    )
    context = p2p_browser.new_context()  # one context: both pages share its OPFS
    try:
        link, _ = wait_for_link(sender)
        second = receive_with_a_reload(  # closed with a.bin verified, b.bin under way
            context,
            live_server.url,
            RECEIVE_REPORTING.format(link=link, folder="again"),
            close_after=first_size + 4 * 1024 * 1024,
        )
        resumed = int(second.evaluate("document.body.dataset.resumed"))
        digests = second.evaluate(OPFS_DIGESTS, ["again", "pair"])
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
        context.close()
    assert send_rc == 0, sent
    # a.bin counts whole; b.bin's bytes count only if a 16 MiB segment of it was committed
    # before the close, which the page closing 4 MiB into it does not wait for (resuming a
    # file part-way is the test above's, which waits for that commit).
    assert resumed >= first_size, "the file verified before the reload was asked for again"
    assert digests == {
        "a.bin": hashlib.sha256(pattern("a", first_size)).hexdigest(),
        "b.bin": hashlib.sha256(pattern("b", second_size)).hexdigest(),
    }
