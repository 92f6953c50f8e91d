"""The Vault view encrypts a file to a GnuPG user's public key; real gpg opens the result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import GnuPG

pytestmark = pytest.mark.e2e
CONTENT = hashlib.sha256(b"pgp from the browser").digest() * 70_000


@pytest.fixture()
def page(vault_page: Page) -> Page:
    return vault_page


def choose(page: Page, armored: str) -> None:
    page.fill("#pgp-key", armored)
    page.set_input_files(
        "#pgp-file", files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": CONTENT}]
    )


def test_gpg_decrypts_what_the_page_encrypted(
    page: Page,
    gnupg: GnuPG,
    tmp_path: Path,
) -> None:
    key = gnupg.new_key("friend@example.org", tmp_path)
    choose(page, key.read_text())
    with page.expect_download(timeout=60_000) as download:
        page.click("#pgp-encrypt")
    assert download.value.suggested_filename == "plan.pdf.gpg"
    download.value.save_as(tmp_path / "plan.pdf.gpg")
    opened = gnupg.run("--decrypt", str(tmp_path / "plan.pdf.gpg"))
    assert opened.stdout == CONTENT
    expect(page.locator("#pgp-status")).to_contain_text("Encrypted")


def test_an_expired_key_is_refused_in_the_page(
    page: Page,
    gnupg: GnuPG,
    tmp_path: Path,
) -> None:
    gnupg.new_expired_key("old@example.org")
    choose(page, gnupg.run("--export", "--armor", "old@example.org").stdout.decode())
    page.click("#pgp-encrypt")
    status = page.locator("#pgp-status")
    expect(status).to_contain_text("expired on 2020-01-02", timeout=30_000)
    expect(status).to_have_class("error")
    expect(page.locator("#pgp-download")).to_have_count(0)


def test_text_that_is_not_a_key_is_explained(page: Page) -> None:
    choose(page, "hello, I am not a key")
    page.click("#pgp-encrypt")
    expect(page.locator("#pgp-status")).to_contain_text("not an OpenPGP public key", timeout=30_000)
