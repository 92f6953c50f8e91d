"""The Backups view in Chromium, against a live server and real borg.

A repository is made in the app; a laptop backs a folder up into it with `syncoxide backup
create` (the CLI, straight at the repository's path, as a machine with an SSH key would over
SSH); the app then lists that backup, opens its folders, and downloads a file and a folder as
a zip, compared byte for byte. Then one file is restored into the user's files on the server,
a provider backup rule is set up and run from the page, and after the server is made to
forget the passphrase the next run's failure shows on the rule in plain words.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PROJECT_ROOT, LiveServer
from tests.e2e.conftest import signed_in_context
from tests.e2e.own_server import server_with_user

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed"),
]
USER, PASSWORD = "backups-e2e", "backups e2e password"
PASSPHRASE = "laptop backup passphrase"
BORG_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("backups-e2e") / "data"
    with server_with_user(data, USER, PASSWORD) as live:
        yield live


@pytest.fixture()
def api(server: LiveServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        signed.raise_for_status()
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        yield client


@pytest.fixture()
def page(browser: Browser, server: LiveServer, api: httpx2.Client) -> Iterator[Page]:
    context = signed_in_context(browser, server.url, api.cookies, accept_downloads=True)
    opened = context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())  # "Forget the passphrase?": yes
    opened.goto(f"{server.url}/#/backups")
    expect(opened.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    yield opened
    context.close()


def laptop_tree(root: Path) -> dict[str, bytes]:
    chance = random.Random(21)
    tree = {
        "docs/report.odt": chance.randbytes(300_000),
        "docs/notes.txt": b"the plan, version 3\n" * 50,
        "docs/photos/beach.jpg": chance.randbytes(2_000_000),
        "docs/photos/empty.bin": b"",
    }
    for relative, content in tree.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    return tree


def back_up_with_the_cli(repository: str, machine: Path) -> None:
    """`syncoxide backup create` as the laptop's owner runs it, passphrase from a file."""
    secret = machine.parent / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    made = subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", "backup", "create", repository, "docs",
         "--prefix", "laptop", "--passphrase-file", str(secret)],
        cwd=machine, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "BORG_BASE_DIR": str(machine.parent / "laptop-borg"),
             "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr


def with_home_connection(page: Page, api: httpx2.Client) -> None:
    """The user's own files on the server as a connection (a provider like any other), and the
    page reloaded so that its forms list it."""
    if not api.get("/api/v1/connections").json()["connections"]:
        home = {"name": "my files", "kind": "home", "options": {}}
        assert api.post("/api/v1/connections", json=home).status_code == 201
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)


def open_docs_folder(page: Page) -> None:
    laptop = page.locator("li.backup-repository", has_text="laptop")
    laptop.locator("[data-action='browse']").click()
    archive = page.locator("li.archive")
    expect(archive).to_have_count(1, timeout=BORG_TIMEOUT_MS)
    expect(archive).to_contain_text("laptop-")
    archive.locator("[data-action='open']").click()
    page.locator("#backup-entries [data-folder='docs']").click()


def add_repository_in_the_page(page: Page) -> None:
    page.fill("#backup-repo-name", "laptop")
    page.fill("#backup-repo-passphrase", PASSPHRASE)
    page.fill("#backup-repo-passphrase2", PASSPHRASE + " typo")
    page.click("#backup-repo-add")
    expect(page.locator("#backup-repo-status")).to_contain_text("The two passphrases differ")
    page.fill("#backup-repo-passphrase2", PASSPHRASE)
    page.click("#backup-repo-add")
    expect(page.locator("#backup-repo-status")).to_contain_text(
        "Added laptop", timeout=BORG_TIMEOUT_MS
    )


def test_a_laptop_backup_is_browsed_downloaded_and_restored_from_the_app(
    page: Page, api: httpx2.Client, tmp_path: Path
) -> None:
    hosting = page.locator("#backup-hosting")
    expect(hosting).to_contain_text("borg init --encryption repokey-blake2 ssh://")
    add_repository_in_the_page(page)
    repository = page.locator("li.backup-repository", has_text="laptop")
    expect(repository).to_contain_text("the server keeps its passphrase")
    area = api.get("/api/v1/backups/hosting").json()["area"]
    expect(repository.locator("dl.backup-settings")).to_contain_text(f"{area}/laptop")

    machine = tmp_path / "laptop"
    tree = laptop_tree(machine)
    back_up_with_the_cli(f"{area}/laptop", machine)

    open_docs_folder(page)
    report = page.locator("tr.archive-entry[data-path='docs/report.odt']")
    expect(report).to_contain_text("300.0 kB", timeout=BORG_TIMEOUT_MS)
    expect(page.locator("#backup-archive-crumbs")).to_contain_text("docs")
    with page.expect_download() as one:
        report.locator("a").click()
    assert one.value.suggested_filename == "report.odt"
    assert Path(one.value.path()).read_bytes() == tree["docs/report.odt"]

    photos = page.locator("tr.archive-entry[data-path='docs/photos']")
    with page.expect_download() as zipped:
        photos.get_by_text("Download as zip").click()
    assert zipped.value.suggested_filename == "photos.zip"
    archive_zip = zipfile.ZipFile(io.BytesIO(Path(zipped.value.path()).read_bytes()))
    assert {n: archive_zip.read(n) for n in archive_zip.namelist() if not n.endswith("/")} == {
        "photos/beach.jpg": tree["docs/photos/beach.jpg"],
        "photos/empty.bin": b"",
    }

    # Restore one file into the user's own files on the server (a provider like any other).
    with_home_connection(page, api)
    open_docs_folder(page)
    notes = page.locator("tr.archive-entry[data-path='docs/notes.txt']")
    notes.locator("[data-action='restore']").click()
    expect(page.locator("#backup-restore-what")).to_contain_text("docs/notes.txt from laptop-")
    page.select_option("#backup-restore-dest", label="my files (home)")
    page.fill("#backup-restore-path", "restored")
    page.click("#backup-restore-go")
    restored = page.locator("li.backup-restore[data-status='ok']")
    expect(restored).to_contain_text(
        "1 file (1.0 kB) restored into my files", timeout=BORG_TIMEOUT_MS
    )
    content = api.get("/api/v1/storage/content", params={"path": "restored/notes.txt"})
    assert content.status_code == 200 and content.content == tree["docs/notes.txt"]


def test_an_ssh_key_is_added_with_its_limits_and_deleted(page: Page, tmp_path: Path) -> None:
    private = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ann@laptop",
                    "-f", str(private)], check=True)  # fmt: skip
    public = (tmp_path / "id_ed25519.pub").read_text()
    page.click("#backup-key-add")
    expect(page.locator("#backup-key-status")).to_contain_text("Paste the public key first")
    page.fill("#backup-key-text", "ssh-ed25519 not-a-key")
    page.click("#backup-key-add")
    expect(page.locator("#backup-key-status")).to_contain_text("The key was not added")
    page.fill("#backup-key-text", public)
    page.check("#backup-key-append")
    page.fill("#backup-key-quota", "5G")
    page.click("#backup-key-add")
    expect(page.locator("#backup-key-status")).to_contain_text("Added “ann@laptop”")
    key = page.locator("li.backup-key", has_text="ann@laptop")
    expect(key).to_contain_text("append-only")
    expect(key).to_contain_text("at most 5GB in each repository")
    key.locator("[data-action='delete']").click()  # the page's dialog is accepted
    expect(page.locator("li.backup-key")).to_have_count(0)
    expect(page.locator("#backup-keys")).to_contain_text("No SSH key yet")


def test_a_provider_backup_runs_from_the_page_and_its_failure_shows(
    page: Page, api: httpx2.Client
) -> None:
    repositories = api.get("/api/v1/backups/repositories").json()["repositories"]
    if not any(r["name"] == "laptop" for r in repositories):  # this test run alone
        add_repository_in_the_page(page)
    with_home_connection(page, api)
    page.fill("#backup-rule-name", "my files nightly")
    page.select_option("#backup-rule-source", label="my files (home)")
    page.select_option("#backup-rule-repo", label="laptop")
    page.fill("#backup-rule-schedule", "daily at 03:15")
    page.fill("#backup-rule-keep-daily", "seven")
    page.click("#backup-rule-create")
    expect(page.locator("#backup-rule-status")).to_contain_text("whole number")
    page.fill("#backup-rule-keep-daily", "7")
    page.click("#backup-rule-create")
    expect(page.locator("#backup-rule-status")).to_contain_text("Set up “my files nightly”")
    rule = page.locator("li.backup-rule", has_text="my files nightly")
    expect(rule).to_contain_text("daily at 03:15 · keeps 7 daily")
    expect(rule.locator(".rule-state")).to_have_text("waiting for its next run")

    rule.locator("[data-action='run']").click()  # the live events socket tells when it is done
    expect(rule.locator(".rule-state")).to_have_text("backed up", timeout=BORG_TIMEOUT_MS)
    expect(rule.locator("li.run[data-status='ok']")).to_contain_text("manual · backed up")
    expect(rule.locator("li.run[data-status='ok']")).to_contain_text("stored anew")

    laptop = page.locator("li.backup-repository", has_text="laptop")
    laptop.locator("[data-action='forget-passphrase']").click()
    expect(page.locator("#backup-repo-status")).to_contain_text("no longer keeps the passphrase")
    expect(laptop).to_contain_text("only your machines can open it")
    rule.locator("[data-action='run']").click()
    expect(rule.locator(".rule-state")).to_have_text("failed", timeout=BORG_TIMEOUT_MS)
    expect(rule.locator(".rule-message.error")).to_contain_text(
        "The server does not keep the passphrase of laptop"
    )


def test_a_repository_on_your_own_ssh_server_shows_the_line_to_let_this_server_in(
    page: Page, api: httpx2.Client
) -> None:
    """The key the server made for the user, with the forced-command line to paste; a host on
    the server's own network is refused (the live server allows no loopback connections)."""
    page.check("#backup-repo-own")
    identity = page.locator("#backup-identity")
    expect(identity).to_contain_text(
        'command="borg serve --restrict-to-path /path/to/repository",restrict ssh-ed25519 AAAA'
    )
    public = api.get("/api/v1/backups/identity").json()
    expect(identity).to_contain_text(public["fingerprint"])
    page.fill("#backup-repo-name", "nas")
    page.fill("#backup-repo-url", "ssh://me@127.0.0.1:2222/home/me/backups/nas")
    page.fill("#backup-repo-passphrase", PASSPHRASE)
    page.fill("#backup-repo-passphrase2", PASSPHRASE)
    page.click("#backup-repo-add")
    status = page.locator("#backup-repo-status")
    expect(status).to_contain_text("The repository was not added", timeout=BORG_TIMEOUT_MS)
    expect(status).to_contain_text("127.0.0.1")
    expect(page.locator("li.backup-repository", has_text="nas")).to_have_count(0)
