"""The app's Request files view: the owner makes an encrypted request link in the page, a
stranger's browser drops a folder on it, the arrival shows up live in the owner's page, and
the owner downloads it all as a zip, opened in the page; the exported key works in the CLI."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer, run_cli
from tests.e2e.conftest import E2E_USER

pytestmark = pytest.mark.e2e
PASSPHRASE = "a long key passphrase"


@pytest.fixture()
def owner_page(vault_page: Page, live_server: LiveServer) -> Page:
    vault_page.goto(f"{live_server.url}/#/requests")
    expect(vault_page.locator("#req-form")).to_be_visible(timeout=30_000)
    return vault_page


@pytest.fixture()
def stranger(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_encrypted_request_made_in_the_app_arrives_live_and_opens_in_the_page(
    owner_page: Page,
    stranger: Page,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    page = owner_page
    page.fill("#req-title", "Band photos, sealed")
    page.fill("#req-deadline", "7")
    page.check("#req-encrypt")
    page.fill("#req-passphrase", "short")
    page.click("#req-create")
    expect(page.locator("#req-status")).to_contain_text("at least")  # refused, nothing made
    page.fill("#req-passphrase", PASSPHRASE)
    page.click("#req-create")
    expect(page.locator("#req-made")).to_be_visible(timeout=30_000)
    link = page.input_value("#req-link")
    with page.expect_download() as key_download:
        page.click("#req-key-export")
    key_file = tmp_path / "request-key.json"
    key_download.value.save_as(key_file)
    assert "private_key" not in key_file.read_text()  # sealed by the passphrase

    folder = tmp_path / "Gig"
    (folder / "set 2").mkdir(parents=True)
    tree = {"poster.png": os.urandom(70_000), "set 2/notes.txt": b"second set notes"}
    for name, data in tree.items():
        (folder / name).write_bytes(data)
    stranger.goto(link)
    stranger.set_input_files("#pick-folder", str(folder))
    expect(stranger.locator("#uploads li[data-done]")).to_have_count(2, timeout=60_000)
    expect(page.locator("#req-live li")).to_have_count(2, timeout=30_000)
    expect(page.locator("#req-live li").first).to_contain_text("an encrypted file")

    page.locator("#req-list li", has_text="Band photos, sealed").get_by_role(
        "button", name="Arrivals"
    ).click()
    expect(page.locator("#req-files li")).to_have_count(2, timeout=30_000)
    page.fill("#req-unlock-passphrase", "wrong passphrase")
    page.click("#req-zip")
    expect(page.locator("#req-arrivals-status")).to_contain_text("password is wrong")
    page.fill("#req-unlock-passphrase", PASSPHRASE)
    page.click("#req-names")
    expect(page.locator("#req-arrivals-status")).to_contain_text("Names opened", timeout=30_000)
    names = sorted(page.locator("#req-files .name").all_inner_texts())
    assert names == ["Gig/poster.png", "Gig/set 2/notes.txt"]
    with page.expect_download(timeout=60_000) as zip_download:
        page.click("#req-zip")
    assert zip_download.value.suggested_filename == "Band photos, sealed.zip"
    zipped = Path(zip_download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == {
            f"Gig/{name}": data for name, data in tree.items()
        }

    row = page.locator("#req-list li", has_text="Band photos, sealed")
    row.get_by_role("button", name="Close").click()
    expect(row).to_contain_text("closed")
    closed = stranger.goto(link)
    assert closed is not None and closed.status == 410

    # The exported key opens the same arrivals with the CLI.
    (tmp_path / "phrase").write_text(PASSPHRASE)
    token = run_cli("token", "create", "--user", E2E_USER, "--data-dir", live_server.data_dir)
    assert token.returncode == 0, token.stderr
    pulled = tmp_path / "pulled"
    link_id = link.rsplit("/", 1)[-1]
    server = ["--server", live_server.url, "--token", token.stdout.strip()]
    done = run_cli(
        "request", "pull", link_id, pulled, "--key", key_file,
        "--passphrase-file", tmp_path / "phrase", *server,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (pulled / "Gig/set 2/notes.txt").read_bytes() == tree["set 2/notes.txt"]
