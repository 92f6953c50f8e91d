"""The app's Send view with "also upload", its page closed: the CLI receiver gets the copy."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import LiveServer
from tests.e2e.p2p.p2p_pages import p2p_browser
from tests.e2e.send.send_view_pages import link_of, open_send_view
from tests.native.p2p.p2p_processes import start_cli

pytestmark = pytest.mark.e2e
__all__ = ["p2p_browser"]  # the fixture, shared with the other peer-to-peer tests


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_cli_receiver_gets_the_browser_senders_server_copy_after_the_page_closed(
    tmp_path: Path,
    p2p_browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
) -> None:
    tree = tmp_path / "src" / "trip"
    (tree / "day 2").mkdir(parents=True)
    (tree / "map.bin").write_bytes(hashlib.sha256(b"map").digest() * 40_000)
    (tree / "day 2" / "notes.txt").write_text("from the browser, via the server copy\n")
    context = p2p_browser.new_context()
    try:
        sender = open_send_view(context, live_server, session_cookies)
        sender.set_input_files("#send-folder", str(tree))
        expect(sender.locator("#send-picked")).to_contain_text("2 files")
        sender.check("#send-upload")
        sender.click("#send-start")
        link = link_of(sender)
        expect(sender.locator("#send-copy-status")).to_contain_text("ready", timeout=60_000)
        sender.close()  # the sender's page is gone before the receiver comes
    finally:
        context.close()
    out = tmp_path / "out"
    receiver = start_cli(["receive", link, "-o", str(out), "--wait", "60"], tmp_path / "r.log")
    rc, received = receiver.wait(60)
    assert rc == 0, received
    assert "fetching its server copy" in received
    assert _hashes(out / "trip") == _hashes(tree)
