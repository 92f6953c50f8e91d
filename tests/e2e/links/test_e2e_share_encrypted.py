"""End-to-end encrypted share links in Chromium, with no account on the recipient's side.

The CLI encrypts a folder (`syncoxide share --encrypt`); a stranger's page decrypts it with
the key from the link's fragment and saves it, once into a chosen folder (the folder picker
answered with an origin-private folder, since a headless browser cannot show the dialog) and
once as a plain browser download. A wrong or missing key and tampered ciphertext end with a
clear error and nothing saved.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PROJECT_ROOT, LiveServer
from tests.e2e.conftest import signed_in_view

pytestmark = pytest.mark.e2e

CLI = [sys.executable, "-m", "syncoxide.cli.main"]
TREE = {
    "notes.txt": b"bring the cables\n" * 100,
    "audio/take one.wav": os.urandom(4_500_000),  # 69 chunks: more than one batch of 64
    "audio/Ünïcødé ✓.bin": os.urandom(65_536),
}
# The folder picker, answered with a folder of the origin-private file system; the file save
# dialog removed, so single files take the download path every browser has.
PICKERS = """
window.showDirectoryPicker = async () =>
  (await navigator.storage.getDirectory()).getDirectoryHandle("picked", { create: true });
delete window.showSaveFilePicker;
delete Window.prototype.showSaveFilePicker;
"""
PICKED_FILES = """
async () => {
  const out = {};
  async function walk(dir, prefix) {
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind === "directory") await walk(handle, prefix + name + "/");
      else {
        const data = await (await handle.getFile()).arrayBuffer();
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
        out[prefix + name] = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
      }
    }
  }
  const root = await navigator.storage.getDirectory();
  for await (const [name, handle] of root.entries()) await walk(handle, name + "/");
  return out;
}
"""


def _cli(*args: str) -> str:
    done = subprocess.run(
        [*CLI, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def shared_link(
    live_server: LiveServer, e2e_user: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    data_dir = str(live_server.data_dir)
    token = _cli("token", "create", "--user", e2e_user, "--data-dir", data_dir).strip()
    folder = tmp_path_factory.mktemp("e2e-share") / "Gig"
    for name, data in TREE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    printed = _cli("share", str(folder), "--encrypt", "--server", live_server.url, "--token", token)
    link = printed.strip().splitlines()[-1]
    assert "#k=" in link
    return link


@pytest.fixture()
def stranger(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    context.add_init_script(PICKERS)
    page = context.new_page()
    yield page
    context.close()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_stranger_decrypts_a_cli_folder_share_to_disk(
    stranger: Page, shared_link: str, tmp_path: Path
) -> None:
    problems: list[str] = []
    stranger.on("console", lambda m: m.type == "error" and problems.append(m.text))
    stranger.goto(shared_link)
    expect(stranger.locator("#e2e-share[data-ready]")).to_have_count(1, timeout=20_000)
    for name in TREE:
        expect(stranger.get_by_text(f"Gig/{name}")).to_be_visible()
    stranger.click("#e2e-save-all")
    expect(stranger.locator('li[data-state="saved"]')).to_have_count(len(TREE), timeout=60_000)
    expect(stranger.locator("#e2e-status")).to_contain_text("Saved 3 files")
    picked = stranger.evaluate(PICKED_FILES)
    assert picked == {f"picked/Gig/{name}": _sha(data) for name, data in TREE.items()}

    row = stranger.locator("li[data-file]", has_text="notes.txt")
    with stranger.expect_download() as download_info:
        row.get_by_role("button", name="Save").click()
    assert download_info.value.suggested_filename == "notes.txt"
    download_info.value.save_as(tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_bytes() == TREE["notes.txt"]
    assert problems == []


def test_a_wrong_or_missing_key_says_so_and_fetches_nothing(
    stranger: Page, shared_link: str
) -> None:
    fetched: list[str] = []
    stranger.on("request", lambda r: "/files/" in r.url and fetched.append(r.url))
    page_url = shared_link.split("#", 1)[0]
    stranger.goto(page_url)
    expect(stranger.locator("#e2e-status")).to_contain_text("has no key")
    stranger.goto(page_url + "#k=" + "A" * 43)
    stranger.reload()
    expect(stranger.locator("#e2e-status")).to_contain_text("does not open these files")
    expect(stranger.locator("#e2e-save-all")).to_be_disabled()
    assert fetched == []


def test_a_password_keeps_the_key_of_an_encrypted_link(
    stranger: Page, live_server: LiveServer, e2e_user: str, tmp_path: Path
) -> None:
    data_dir = str(live_server.data_dir)
    token = _cli("token", "create", "--user", e2e_user, "--data-dir", data_dir).strip()
    (tmp_path / "pw").write_text("open sesame\n")
    (tmp_path / "memo.txt").write_bytes(TREE["notes.txt"])
    server = ["--server", live_server.url, "--token", token]
    shared = _cli(
        "share",
        str(tmp_path / "memo.txt"),
        "--encrypt",
        "--password-file",
        str(tmp_path / "pw"),
        *server,
    )
    stranger.goto(shared.strip().splitlines()[-1])
    stranger.fill("input[name=password]", "open sesame")
    stranger.click("button[type=submit]")
    expect(stranger.locator("#e2e-share[data-ready]")).to_have_count(1, timeout=20_000)
    expect(stranger.get_by_text("memo.txt")).to_be_visible()


def test_tampered_ciphertext_is_detected_and_nothing_is_saved(
    stranger: Page, shared_link: str, live_server: LiveServer
) -> None:
    link_id = shared_link.split("/s/", 1)[1].split("#", 1)[0]
    blobs = sorted(
        p for p in live_server.data_dir.rglob("*") if p.is_file() and f"l{link_id}" in str(p)
    )
    biggest = max(blobs, key=lambda p: p.stat().st_size)
    original = biggest.read_bytes()
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0x40
    biggest.write_bytes(bytes(damaged))
    try:
        stranger.goto(shared_link)
        expect(stranger.locator("#e2e-share[data-ready]")).to_have_count(1, timeout=20_000)
        row = stranger.locator("li[data-file]", has_text="take one.wav")
        row.get_by_role("button", name="Save").click()
        expect(row).to_have_attribute("data-state", "failed", timeout=30_000)
        expect(stranger.locator("#e2e-status")).to_contain_text("failed authentication")
        leftovers = stranger.evaluate(PICKED_FILES)
        assert not [name for name in leftovers if name.startswith("share-downloads/")]
    finally:
        biggest.write_bytes(original)


def test_the_owner_shares_an_encrypted_folder_from_the_app_and_sees_it_downloaded(
    browser: Browser,
    live_server: LiveServer,
    session_cookies: list[dict[str, Any]],
    stranger: Page,
    tmp_path: Path,
) -> None:
    with signed_in_view(browser, live_server, session_cookies, "shares") as owner_app:
        _share_from_the_app(owner_app, stranger, tmp_path)


def _share_from_the_app(owner_app: Page, stranger: Page, tmp_path: Path) -> None:
    owner_app.click("#share-create")
    expect(owner_app.locator("#share-status")).to_have_text("Choose files or a folder first.")
    folder = tmp_path / "Gig"
    for name, data in TREE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    owner_app.set_input_files("#share-folder", str(folder))
    owner_app.fill("#share-max", "0")
    owner_app.click("#share-create")
    expect(owner_app.locator("#share-status")).to_contain_text("not a number of downloads")
    owner_app.fill("#share-max", "")
    owner_app.fill("#share-title", "Band folder")
    owner_app.check("#share-encrypt")
    owner_app.click("#share-create")
    expect(owner_app.locator("#share-result")).to_be_visible(timeout=60_000)
    expect(owner_app.locator("#share-uploads li[data-done]")).to_have_count(len(TREE))
    link = owner_app.locator("#share-link").get_attribute("href") or ""
    assert "/s/" in link and "#k=" in link
    assert (owner_app.locator("#share-qr").get_attribute("src") or "").startswith(
        "data:image/svg+xml"
    )
    share_id = link.split("/s/", 1)[1].split("#", 1)[0]
    count = owner_app.locator(f'[data-count="{share_id}"]')
    expect(count).to_have_text("0")

    stranger.goto(link)
    expect(stranger.locator("#e2e-share[data-ready]")).to_have_count(1, timeout=20_000)
    stranger.click("#e2e-save-all")
    expect(stranger.locator('li[data-state="saved"]')).to_have_count(len(TREE), timeout=60_000)
    assert stranger.evaluate(PICKED_FILES) == {
        f"picked/Gig/{name}": _sha(data) for name, data in TREE.items()
    }
    expect(count).to_have_text("1", timeout=10_000)  # one visit, one download; live, no reload

    owner_app.click(f'[data-revoke="{share_id}"]')
    expect(owner_app.locator(f'tr[data-share="{share_id}"]')).to_contain_text("revoked")
    stranger.reload()
    expect(stranger.get_by_text("The owner withdrew this link.")).to_be_visible()

    # A plain share from the app: a File's slices go to tus as they are; a password guards it.
    owner_app.set_input_files("#share-files", str(folder / "audio" / "take one.wav"))
    owner_app.uncheck("#share-encrypt")
    owner_app.fill("#share-password", "let me in")
    owner_app.click("#share-create")
    expect(owner_app.locator("#share-status")).to_contain_text("Shared 1 file", timeout=60_000)
    plain_link = owner_app.locator("#share-link").get_attribute("href") or ""
    assert "#" not in plain_link
    stranger.goto(plain_link)
    stranger.fill("input[name=password]", "let me in")
    stranger.click("button[type=submit]")
    with stranger.expect_download() as download_info:
        stranger.get_by_role("link", name="take one.wav").click()
    download_info.value.save_as(tmp_path / "take.wav")
    assert (tmp_path / "take.wav").read_bytes() == TREE["audio/take one.wav"]
