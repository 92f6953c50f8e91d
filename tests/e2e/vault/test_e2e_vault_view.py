"""The Vault view encrypts and decrypts a picked file in the page; the CLI reads what it makes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import run_cli

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
CONTENT = hashlib.sha256(b"vault view").digest() * (5 * 65536 // 32 + 77)


@pytest.fixture()
def page(vault_page: Page) -> Page:
    return vault_page


def run_in_page(page: Page, button: str, name: str, data: bytes, password: str) -> Any:
    page.set_input_files(
        "#crypt-file",
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}],
    )
    page.fill("#crypt-password", password)
    with page.expect_download(timeout=60_000) as download:
        page.click(button)
    return download.value


def test_encrypt_in_the_page_then_decrypt_with_the_cli(page: Page, tmp_path: Path) -> None:
    download = run_in_page(page, "#crypt-encrypt", "report.pdf", CONTENT, PASSWORD)
    assert download.suggested_filename == "report.pdf.sxc"
    download.save_as(tmp_path / "report.pdf.sxc")
    expect(page.locator("#crypt-status")).to_contain_text("Encrypted")
    (tmp_path / "pw").write_text(PASSWORD)
    result = run_cli(
        "decrypt",
        "--password-file",
        tmp_path / "pw",
        tmp_path / "report.pdf.sxc",
        tmp_path / "report.pdf",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.pdf").read_bytes() == CONTENT


def test_decrypt_in_the_page_what_the_cli_encrypted(page: Page, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(PASSWORD)
    (tmp_path / "notes.txt").write_bytes(CONTENT)
    made = run_cli(
        "encrypt",
        "--password-file",
        tmp_path / "pw",
        tmp_path / "notes.txt",
        tmp_path / "notes.txt.sxc",
    )
    assert made.returncode == 0, made.stderr
    sealed = (tmp_path / "notes.txt.sxc").read_bytes()
    download = run_in_page(page, "#crypt-decrypt", "notes.txt.sxc", sealed, PASSWORD)
    assert download.suggested_filename == "notes.txt"
    download.save_as(tmp_path / "back.txt")
    assert (tmp_path / "back.txt").read_bytes() == CONTENT
    expect(page.locator("#crypt-status")).to_contain_text("Decrypted and verified")


def test_a_wrong_password_is_explained_and_nothing_is_offered(page: Page, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(PASSWORD)
    (tmp_path / "a.bin").write_bytes(b"secret")
    assert (
        run_cli(
            "encrypt", "--password-file", tmp_path / "pw", tmp_path / "a.bin", tmp_path / "a.sxc"
        ).returncode
        == 0
    )
    page.set_input_files(
        "#crypt-file",
        files=[
            {
                "name": "a.sxc",
                "mimeType": "application/octet-stream",
                "buffer": (tmp_path / "a.sxc").read_bytes(),
            }
        ],
    )
    page.fill("#crypt-password", "not the password")
    page.click("#crypt-decrypt")
    status = page.locator("#crypt-status")
    expect(status).to_contain_text("password is wrong", timeout=30_000)
    expect(status).to_have_class("error")
    expect(page.locator("#crypt-download")).to_have_count(0)
    expect(page.locator("#crypt-decrypt")).to_be_enabled()
