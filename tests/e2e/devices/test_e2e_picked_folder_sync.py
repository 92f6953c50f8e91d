"""The browser app as a device syncing a folder picked on disk (File System Access API) with a
CLI device, in Chromium.

Headless Chromium cannot click the native folder picker, so the page's
``showDirectoryPicker`` is replaced (``PICKER_GIVES_AN_OPFS_FOLDER``) by one that returns a
directory of the origin-private file system: the same ``FileSystemDirectoryHandle``
interface. That is all it does; from the handle on, everything is the product's path (kept in
IndexedDB, permission checked, scanned, written). The browser's permission prompt cannot be
answered either; ``ACCESS_REFUSED`` stands in for a user who refuses it.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.e2e.axe import serious_violations
from tests.e2e.devices.test_e2e_browser_device_sync import (
    disk_hashes,
    opfs_hashes,
    pair_with_browser,
    sha,
    stop,
    wait_until,
)
from tests.native.devices.device_processes import DeviceHome, make_device
from tests.native.p2p.p2p_processes import CliRun

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.e2e
PICKED = "picked-disk"  # the OPFS directory the replaced picker hands over

# The test hook: only hands the page a directory handle where the native picker would, and
# counts the picks (a reload must reuse the kept handle, never pick again).
PICKER_GIVES_AN_OPFS_FOLDER = """
window.__picks = [];
window.showDirectoryPicker = async (options) => {
  window.__picks.push(options ? options.mode : null);
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle("picked-disk", {create: true});
};
"""

# A reopened page whose user refuses the browser's "allow editing?" prompt.
ACCESS_REFUSED = """
FileSystemHandle.prototype.queryPermission = async () => "prompt";
FileSystemHandle.prototype.requestPermission = async () => "denied";
"""


PICKED_CHANGE = """async ([folder, path, data]) => {
  const root = await navigator.storage.getDirectory();
  let dir = await root.getDirectoryHandle(folder, {create: true});
  const parts = path.split("/");
  for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, {create: true});
  if (data === null) { await dir.removeEntry(parts.at(-1)); return; }
  const writable = await (await dir.getFileHandle(parts.at(-1), {create: true})).createWritable();
  await writable.write(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  await writable.close();
}"""

REMOVE_PICKED = """async (folder) => {
  await (await navigator.storage.getDirectory()).removeEntry(folder, {recursive: true});
}"""


@pytest.fixture()
def page(
    browser: Browser, live_server: LiveServer, session_cookies: list[SetCookieParam]
) -> Iterator[Page]:
    context = browser.new_context()
    try:
        context.add_init_script(PICKER_GIVES_AN_OPFS_FOLDER)
        context.add_cookies(session_cookies)
        opened = context.new_page()
        opened.goto(f"{live_server.url}/#/devices")
        expect(opened.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        yield opened
    finally:
        context.close()


def picked_hashes(page: Page) -> dict[str, str]:
    # A folder on disk gets Chromium's swap files (.crswap) while a writable is open.
    return opfs_hashes(page, PICKED, skip_swap_files=True)


def change_in_picked(page: Page, path: str, data: bytes | None) -> None:
    """Write ``data`` at ``path`` in the picked folder, or delete it (``None``)."""
    encoded = None if data is None else base64.b64encode(data).decode()
    page.evaluate(PICKED_CHANGE, [PICKED, path, encoded])


def share_picked_folder(page: Page, cli: DeviceHome, picks: int = 1) -> None:
    page.click("#device-sync-pick")
    expect(page.locator("#device-sync-picked")).to_have_text(f"using “{PICKED}”")
    assert page.evaluate("window.__picks") == ["readwrite"] * picks
    page.select_option("#device-sync-peer", cli.device_id)
    page.fill("#device-sync-name", "shared")
    page.click("#device-sync-form button[type=submit]")
    # The pick is cleared once the share is stored (the status may still show an earlier one's).
    expect(page.locator("#device-sync-picked")).to_have_text("")
    expect(page.locator("#device-sync-status")).to_contain_text(
        f"Syncing shared (the folder “{PICKED}” on this computer)"
    )


@dataclass(frozen=True)
class Laptop:
    """A CLI device paired with the page's browser, and the folder it shares (empty until the
    test fills it)."""

    cli: DeviceHome
    own_id: str  # the browser's device id
    files: Path

    def start(self, log: Path) -> CliRun:
        """Shares the folder with the browser and runs the device."""
        added = self.cli.run("folders", "add", "shared", str(self.files), "--with", self.own_id)
        assert added.returncode == 0, added.stderr
        return self.cli.start("run", log=log)


def paired_laptop(page: Page, server_url: str, tmp_path: Path) -> Laptop:
    cli = make_device(tmp_path, "laptop")
    own_id = pair_with_browser(page, cli, server_url)
    files = tmp_path / "laptop-files"
    files.mkdir()
    return Laptop(cli, own_id, files)


def test_a_folder_picked_on_disk_syncs_with_a_cli_device_both_ways_and_after_a_reload(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    laptop = paired_laptop(page, live_server.url, tmp_path)
    files = laptop.files
    from_cli = os.urandom(300 * 1024)  # three blocks
    (files / "docs").mkdir()
    (files / "docs" / "from-cli.bin").write_bytes(from_cli)
    (files / "notes.txt").write_bytes(b"first\n")
    (files / "back\\slash.txt").write_bytes(b"a name other devices refuse\n")
    run = laptop.start(tmp_path / "run-1.log")
    try:
        share_picked_folder(page, laptop.cli)
        row = page.locator('#device-sync-table tr[data-folder="shared"]')
        expect(row).to_contain_text(f"on this computer: {PICKED}")

        def as_on_the_cli() -> bool:
            expected = {p: h for p, h in disk_hashes(files).items() if "\\" not in p}
            return picked_hashes(page) == expected

        wait_until(as_on_the_cli, "the CLI's files arrive in the picked folder")
        assert picked_hashes(page)["docs/from-cli.bin"] == sha(from_cli)
        # A name the browser refuses stays on the laptop, said there, and stops nothing.
        wait_until(lambda: "refuse its name" in run.output(), "the laptop says it keeps it")
        assert (files / "back\\slash.txt").read_bytes() == b"a name other devices refuse\n"
        change_in_picked(page, "tab\there.txt", b"a control character in its name\n")
        expect(row).to_contain_text("1 file(s) not synced: other devices refuse", timeout=30_000)

        from_browser = os.urandom(200 * 1024)
        change_in_picked(page, "made here/from-browser.bin", from_browser)
        wait_until(
            lambda: disk_hashes(files).get("made here/from-browser.bin") == sha(from_browser),
            "a file added in the picked folder reaches the CLI",
        )
        (files / "notes.txt").write_bytes(b"edited on the laptop\n")
        wait_until(
            lambda: picked_hashes(page).get("notes.txt") == sha(b"edited on the laptop\n"),
            "the CLI's edit reaches the picked folder",
        )
        edited = os.urandom(150 * 1024)
        change_in_picked(page, "docs/from-cli.bin", edited)
        wait_until(
            lambda: disk_hashes(files).get("docs/from-cli.bin") == sha(edited),
            "the picked folder's edit reaches the CLI",
        )
        (files / "notes.txt").unlink()
        wait_until(lambda: "notes.txt" not in picked_hashes(page), "the CLI's delete arrives")
        change_in_picked(page, "made here/from-browser.bin", None)
        wait_until(
            lambda: "made here/from-browser.bin" not in disk_hashes(files),
            "the picked folder's delete reaches the CLI",
        )
        assert "tab\there.txt" not in disk_hashes(files)
        assert serious_violations(page, include="section[data-view=devices]") == []

        page.reload()  # the same handle, from IndexedDB: no picking again
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        expect(row).to_contain_text(f"on this computer: {PICKED}", timeout=30_000)
        (files / "after-reload.txt").write_bytes(b"written after the reload\n")
        wait_until(
            lambda: (
                picked_hashes(page).get("after-reload.txt") == sha(b"written after the reload\n")
            ),
            "a file written after the reload arrives in the same folder",
        )
        change_in_picked(page, "from-reload.txt", b"made after the reload\n")
        wait_until(
            lambda: disk_hashes(files).get("from-reload.txt") == sha(b"made after the reload\n"),
            "a file made after the reload reaches the CLI",
        )
        assert page.evaluate("window.__picks") == []
    finally:
        stop(run)
    assert "Traceback" not in run.output(), run.output()


def test_a_picked_folder_gone_or_refused_is_said_and_nothing_is_lost(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    laptop = paired_laptop(page, live_server.url, tmp_path)
    files = laptop.files
    for number in range(3):
        (files / f"kept-{number}.txt").write_bytes(f"kept {number}\n".encode())
    run = laptop.start(tmp_path / "run-gone.log")
    try:
        share_picked_folder(page, laptop.cli)
        wait_until(lambda: picked_hashes(page) == disk_hashes(files), "the files arrive")
        before = disk_hashes(files)

        page.evaluate(REMOVE_PICKED, PICKED)  # deleted on the disk while the page syncs
        row = page.locator('#device-sync-table tr[data-folder="shared"]')
        expect(row).to_contain_text("is gone from this computer's disk", timeout=30_000)
        expect(row).to_contain_text("Nothing was deleted on your other devices")
        time.sleep(5)  # two rescans and more: none of them may be taken as deletions
        assert disk_hashes(files) == before

        # Another folder with the same name picked in its place, holding one file: a fresh
        # index, so the files it lacks are not deletions; both sides end with everything.
        change_in_picked(page, "only-here.txt", b"made in the new folder\n")
        share_picked_folder(page, laptop.cli, picks=2)
        both = {**before, "only-here.txt": sha(b"made in the new folder\n")}
        wait_until(lambda: disk_hashes(files) == both, "the new folder's file reaches the CLI")
        wait_until(lambda: picked_hashes(page) == both, "the CLI's files fill the new folder")
        before = both

        # Deleted and made again in place with one file, NOT picked again, and the page
        # reloaded: the kept handle reaches the new folder, but it lacks the folder's mark, so
        # it is refused rather than scanned against the index (the other files "deleted").
        page.evaluate(REMOVE_PICKED, PICKED)
        change_in_picked(page, "alone.txt", b"the only file\n")
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        expect(row).to_contain_text("is not the one synced before", timeout=30_000)
        expect(row).to_contain_text("Nothing was deleted on your other devices")
        time.sleep(5)
        assert disk_hashes(files) == before

        page.context.add_init_script(ACCESS_REFUSED)
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        expect(row).to_contain_text("is not given yet", timeout=30_000)
        row.locator("button[data-action=allow]").click()
        expect(page.locator("#device-sync-status")).to_contain_text(
            "Access to the folder for shared was refused"
        )
        expect(page.locator("#device-sync-status")).to_contain_text("Nothing was changed")
        (files / "while-refused.txt").write_bytes(b"waits on the laptop\n")
        time.sleep(5)
        assert disk_hashes(files) == {**before, "while-refused.txt": sha(b"waits on the laptop\n")}
        assert page.evaluate("window.__picks") == []
    finally:
        stop(run)
    assert "Traceback" not in run.output(), run.output()


def test_without_a_folder_picker_the_view_says_so_and_offers_a_browser_folder(
    browser: Browser, live_server: LiveServer, session_cookies: list[SetCookieParam]
) -> None:
    context = browser.new_context()
    try:
        context.add_init_script("delete window.showDirectoryPicker;")  # as in Firefox, Safari
        context.add_cookies(session_cookies)
        page = context.new_page()
        page.goto(f"{live_server.url}/#/devices")
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        expect(page.locator("#device-sync-pick")).to_be_hidden()
        note = page.locator("#device-sync-no-picker")
        expect(note).to_be_visible()
        expect(note).to_contain_text("cannot open a folder on your disk")
        expect(note).to_contain_text("A browser folder is synced instead")
        expect(page.locator("#device-sync-folder")).to_be_visible()
    finally:
        context.close()
