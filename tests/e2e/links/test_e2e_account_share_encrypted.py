"""An end-to-end encrypted account share opened in the browser: ann seals a folder with the CLI
for bee, the server carries ciphertext into bee's storage, and bee's page unlocks bee's
account key with the passphrase, lists the files by their real names and decrypts one on
demand (the same Python core as the CLI, over WebCrypto and hash-wasm). Bee then adds a file
from the page, sealed there: the server holds only its ciphertext, and ann's CLI reads it."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import LiveServer, run_cli
from tests.e2e.conftest import signed_in_view
from tests.e2e.links.test_e2e_account_shares import _account, _token

pytestmark = pytest.mark.e2e
SECRET = b"seed order: 40 beans, 12 pumpkins\n"
REPLY = b"bee's answer: the pumpkins went in on Tuesday\n"


def _cli(live_server: LiveServer, token: str, *args: str | Path) -> str:
    done = run_cli(*args, "--server", live_server.url, "--token", token)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bee_opens_an_encrypted_share_in_the_page(
    browser: Browser,
    live_server: LiveServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNCOXIDE_CONFIG_DIR", str(tmp_path / "config"))
    suffix = uuid.uuid4().hex[:6]
    owner, guest = f"ann{suffix}", f"bee{suffix}"
    guest_cookies = _account(live_server, guest, tmp_path)
    _account(live_server, owner, tmp_path)
    tokens = {name: _token(live_server, name) for name in (owner, guest)}
    passphrases = {}
    for name in (owner, guest):
        passphrases[name] = tmp_path / f"{name}.passphrase"
        passphrases[name].write_text(f"{name} key passphrase\n")
        _cli(live_server, tokens[name], "keys", "create", "--passphrase-file", passphrases[name])
    local = tmp_path / "garden"
    (local / "plans").mkdir(parents=True)
    (local / "plans" / "seeds.txt").write_bytes(SECRET)
    _cli(live_server, tokens[owner], "share", "--to", guest, "--encrypt", local,
         "--place", "home:garden", "--passphrase-file", passphrases[owner])  # fmt: skip
    guest_api = httpx2.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {tokens[guest]}"}
    )
    [share] = guest_api.get("/api/v1/account-shares").json()["shares"]
    _cli(live_server, tokens[guest], "shares", "accept", str(share["id"]), "--place",
         "home:from-ann")  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        listed = guest_api.get("/api/v1/storage", params={"path": "from-ann", "recursive": "true"})
        files = [e for e in listed.json().get("entries", []) if e["kind"] == "file"]
        if len(files) == 2:  # the keyring and the sealed file
            break
        assert time.monotonic() < deadline, listed.text
        time.sleep(0.3)
    assert all("seeds" not in e["path"] for e in files)

    with signed_in_view(browser, live_server, guest_cookies, "shares") as page:
        row = page.locator("#acct-with-me li", has_text="garden")
        expect(row).to_contain_text("encrypted · accepted", timeout=30_000)
        page.fill("#acct-passphrase", "not the passphrase")
        row.get_by_role("button", name="Open encrypted").click()
        expect(page.locator("#acct-status")).to_contain_text("password is wrong", timeout=30_000)

        page.fill("#acct-passphrase", f"{guest} key passphrase")
        row.get_by_role("button", name="Open encrypted").click()
        files_list = page.locator("#acct-sealed-files")
        expect(files_list).to_contain_text("plans/seeds.txt", timeout=30_000)
        fingerprint = guest_api.get(f"/api/v1/account-shares/{share['id']}/keys").json()
        expect(page.locator("#acct-status")).to_contain_text(fingerprint["owner"]["fingerprint"])
        with page.expect_download(timeout=30_000) as download:
            files_list.get_by_role("button", name="Decrypt and save").click()
        assert download.value.suggested_filename == "seeds.txt"
        assert Path(download.value.path()).read_bytes() == SECRET

        # Bee adds a file: sealed in the page, under the share's key, name and content.
        page.set_input_files(
            "#acct-sealed-add",
            files=[{"name": "reply.txt", "mimeType": "text/plain", "buffer": REPLY}],
        )
        expect(page.locator("#acct-status")).to_contain_text("Sealed and added 1", timeout=30_000)
        expect(files_list).to_contain_text("reply.txt")

    listed = guest_api.get("/api/v1/storage", params={"path": "from-ann", "recursive": "true"})
    stored = [e for e in listed.json()["entries"] if e["kind"] == "file"]
    assert len(stored) == 3 and all("reply" not in e["path"] for e in stored), stored
    for entry in stored:
        body = guest_api.get("/api/v1/storage/content", params={"path": entry["path"]}).content
        assert b"pumpkins" not in body  # the server never saw either file's plaintext
    _cli(live_server, tokens[guest], "shares", "sync", str(share["id"]))
    read = _cli(live_server, tokens[owner], "shares", "cat", str(share["id"]), "reply.txt",
                "--passphrase-file", passphrases[owner])  # fmt: skip
    assert read == REPLY.decode()  # ann's CLI opens what bee's page sealed
