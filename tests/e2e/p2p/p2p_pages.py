"""Python in route-served pages for the peer-to-peer tests and the benchmark, without blocking."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from syncoxide.server.pages.shell import VendorBuild
from tests.conftest import CHROMIUM_ARGS, PROJECT_ROOT, LiveServer, launch_chromium
from tests.e2e.browser_python import python_page, reporting, serve_page
from tests.e2e.python_snapshot import start_contexts_from_snapshot

if TYPE_CHECKING:  # Playwright declares its cookie type here and re-exports it nowhere public
    from playwright._impl._api_structures import SetCookieParam

# Test pages are fulfilled by Playwright, so Chromium cannot tell they came from 127.0.0.1 and
# its Local Network Access checks would block their WebSocket to the loopback server. A page
# the server itself serves is not affected; only these route-served test pages need the flag.
P2P_ARGS = [arg for arg in CHROMIUM_ARGS if not arg.startswith("--disable-features=")] + [
    "--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks"
]


@pytest.fixture(scope="module")
def p2p_browser(
    tmp_path_factory: pytest.TempPathFactory,
    live_server: LiveServer,
    session_cookies: list[SetCookieParam],
) -> Iterator[Browser]:
    """Chromium for peer-to-peer tests (import this fixture into the test module); its new
    contexts start Python from a snapshot on the live server's origin, as the e2e browser's."""
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright, P2P_ARGS, tmp_path_factory.mktemp("chromium"))
        start_contexts_from_snapshot(launched, live_server.url, session_cookies, tmp_path_factory)
        yield launched
        launched.close()


def start_python_in_page(page: Page, base_url: str, code: str) -> None:
    """Like run_python_in_page, without waiting: the test talks to the CLI meanwhile."""
    build = VendorBuild.load(PROJECT_ROOT / "web" / "static" / "vendor")
    url = f"{base_url}/__test__/p2p-send.html"
    serve_page(page, url, python_page(build, reporting(code)))
    page.goto(url)


# {name: SHA-256 hex} of the files in an OPFS folder, hidden partial files included, and
# {name: "folder"} of its folders (a picked folder's hidden segment folders among them); the
# argument is the folder's path as a list of names.
OPFS_DIGESTS = """async (path) => {
  let folder = await navigator.storage.getDirectory();
  for (const name of path) folder = await folder.getDirectoryHandle(name);
  const found = {};
  for await (const [name, handle] of folder.entries()) {
    if (handle.kind !== "file") { found[name] = "folder"; continue; }
    const bytes = await (await handle.getFile()).arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    found[name] = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return found;
}"""


def page_code(*parts: str) -> str:
    """Python for a page, from pieces each indented its own way."""
    return "".join(textwrap.dedent(part) for part in parts)


# How the page writes: into OPFS in place from the writer worker (what an OPFS folder gets),
# or as segments through writable streams, as a picked folder gets them (forced here on an OPFS
# folder: a real picker needs a person): from the worker, which also hashes, or, where no worker
# can write there, from the page itself, hashing in Python.
WRITERS = {
    "OpfsDestination, worker": "",
    "DirectoryDestination, worker": """
        from syncoxide_web.p2p import opfs_destination as p2p_opfs

        async def not_in_place(folder, writer):
            return False

        p2p_opfs._writes_in_place = not_in_place
    """,
    "DirectoryDestination, page": """
        from syncoxide_web.p2p import transfer as p2p_transfer
        from syncoxide_web.p2p.destination import DirectoryDestination

        async def streams_only(folder, tag):
            return DirectoryDestination(folder, tag)

        p2p_transfer.open_destination = streams_only
    """,
}

# Notes which writer the page chose, in its dataset.
RECORD_WRITER = """
        import js
        from syncoxide_web.p2p import transfer as p2p_transfer

        chosen = p2p_transfer.open_destination

        async def recorded(folder, tag):
            destination = await chosen(folder, tag)
            where = "worker" if destination.hashes else "page"
            js.document.body.dataset.writer = type(destination).__name__ + ", " + where
            return destination

        p2p_transfer.open_destination = recorded
"""
