"""Finding 9, the browser's half: names of an end-to-end encrypted share are decrypted in the
recipient's page, where the server never sees them, so the server's bidi stripping could not
reach them. A sender naming a file ``invoice\\u202efdp.exe`` had it shown (and saved) as
``invoiceexe.pdf``. The page now drops the same characters the server drops
(``syncoxide/safe_names.py``) from every decrypted name before showing or saving it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from syncoxide.safe_names import BIDI_CONTROLS, safe_name
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, account_token, run_cli
from tests.e2e.links.test_e2e_share_encrypted import PICKED_FILES, PICKERS

pytestmark = pytest.mark.e2e

DISGUISED = "invoice\u202efdp.exe"  # shows as "invoiceexe.pdf" where the RLO is kept
ISOLATED = "\u2067report\u2069 \u200fq3.txt"


@pytest.fixture
def stranger() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.add_init_script(PICKERS)
        yield context.new_page()
        browser.close()


def encrypted_share(server: LiveServer, folder: Path, scratch: Path) -> str:
    token = account_token(server, "disguiser", scratch)
    for name in (DISGUISED, ISOLATED):
        (folder / name).write_bytes(b"MZ not really a pdf")
    shared = run_cli("share", folder, "--encrypt", "--server", server.url, "--token", token)
    assert shared.returncode == 0, shared.stderr
    return shared.stdout.strip().splitlines()[-1]


def test_decrypted_names_lose_their_bidi_controls_on_screen_and_on_disk(
    stranger: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    folder = tmp_path / "Bills"
    folder.mkdir()
    stranger.goto(encrypted_share(live_server, folder, tmp_path))
    expect(stranger.locator("#e2e-share[data-ready]")).to_have_count(1, timeout=20_000)
    shown = sorted(stranger.locator("li[data-file] .name").all_inner_texts())
    assert shown == ["Bills/invoicefdp.exe", "Bills/report q3.txt"]
    stranger.click("#e2e-save-all")
    expect(stranger.locator('li[data-state="saved"]')).to_have_count(2, timeout=60_000)
    saved = sorted(stranger.evaluate(PICKED_FILES))
    assert saved == ["picked/Bills/invoicefdp.exe", "picked/Bills/report q3.txt"]


def test_the_page_drops_exactly_what_the_server_drops(stranger: Page, tmp_path: Path) -> None:
    """The two lists are kept in two languages; every character up to U+2FFF is compared."""
    stranger.set_content("<p>check</p>")
    script = (Path(__file__).parents[3] / "web/static/share-crypto.js").read_text()
    stranger.add_script_tag(content=script)
    everything = "".join(chr(c) for c in range(1, 0x3000) if c not in (0x2F, 0xD800))
    everything = "".join(c for c in everything if not 0xD800 <= ord(c) <= 0xDFFF)
    page_kept = stranger.evaluate("(text) => SyncoxideShareCrypto.shownPath(text)", everything)
    server_kept = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", BIDI_CONTROLS.sub("", everything))
    assert page_kept == server_kept
    assert safe_name(DISGUISED) == "invoicefdp.exe"
