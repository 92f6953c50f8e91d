"""The browser takes the server's TURN relay: CLI (``--relay``) to Chromium through coturn.

The CLI gathers relay candidates only; the page gets the server's ``iceServers`` from its
welcome. coturn's log then shows an allocation under each peer's own credentials, the page's
included, so the browser did use what the server handed out.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import LiveServer, start_live_server
from tests.e2e.browser_python import run_python_in_page
from tests.e2e.p2p.p2p_pages import p2p_browser, page_code
from tests.e2e.python_snapshot import context_on
from tests.native.p2p.coturn import Coturn, start_coturn
from tests.native.p2p.p2p_processes import start_cli, wait_for_link

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]
SECRET = "browser-relay-secret"


@pytest.fixture()
def coturn(tmp_path: Path) -> Iterator[Coturn]:
    server = start_coturn(tmp_path, SECRET)
    yield server
    server.stop()


@pytest.fixture()
def relaying_server(tmp_path: Path, coturn: Coturn) -> Iterator[LiveServer]:
    server = start_live_server(
        tmp_path / "data",
        env={"SYNCOXIDE_TURN_URLS": coturn.url, "SYNCOXIDE_TURN_SECRET": SECRET},
    )
    yield server
    server.stop()


@pytest.fixture()
def page(p2p_browser: Browser, relaying_server: LiveServer) -> Iterator[Page]:
    # The snapshot for the relaying server's origin, where the page runs.
    context = context_on(p2p_browser, relaying_server.url)
    yield context.new_page()
    context.close()


def test_cli_on_the_relay_sends_to_the_browser(
    tmp_path: Path, page: Page, coturn: Coturn, relaying_server: LiveServer
) -> None:
    payload = hashlib.sha256(b"relay").digest() * (512 * 1024 // 32)
    (tmp_path / "relayed.bin").write_bytes(payload)
    sender = start_cli(
        ["send", str(tmp_path / "relayed.bin"), "--server", relaying_server.url,
         "--relay", "--wait", "90"],
        tmp_path / "send.log",
    )  # fmt: skip
    try:
        link, _ = wait_for_link(sender)
        result = run_python_in_page(
            page,
            relaying_server.url,
            page_code(f"""
            import hashlib, js
            from syncoxide_web.p2p.transfer import receive_into
            root = await js.navigator.storage.getDirectory()
            create = js.Object.fromEntries([["create", True]])
            inbox = await root.getDirectoryHandle("turn-inbox-{time.time_ns()}", create)
            status = await receive_into({link!r}, inbox)
            assert status.state == "verified", status
            handle = await inbox.getFileHandle("relayed.bin")
            data = await (await handle.getFile()).arrayBuffer()
            got = hashlib.sha256(js.Uint8Array.new(data).to_bytes()).hexdigest()
            assert got == {hashlib.sha256(payload).hexdigest()!r}, got
            """),
        )
        assert result == "ok", result + sender.output()
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
    assert send_rc == 0, sent
    allocated = set(re.findall(r"username=<\d+:(peer-[0-9a-f]+)>", coturn.log_text()))
    assert len(allocated) >= 2, coturn.log_text()[-3000:]
