"""The browser app as a syncing device, in Chromium: paired with a CLI device by code, a browser
folder (OPFS) is shared from the Devices view with the CLI's folder while ``syncoxide devices
run`` runs. A file written on the CLI appears in the browser folder and one written in the
browser folder appears on the CLI's disk, both hash-verified; an edit made on both sides while
apart ends as both versions on both; a malformed index from the peer is refused and nothing in
the browser folder changes; a kept room token the server refuses is replaced on both sides."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from syncoxide.devices.binding import Purpose, binding
from syncoxide.devices.device_id import device_id
from syncoxide.devices.wire import FrameReader, json_frames
from syncoxide.native.devices.channel_auth import channel_view
from syncoxide.native.devices.folders import FolderBook
from syncoxide.native.devices.store import DeviceStore
from syncoxide.native.p2p.channel import IcePolicy, negotiate
from syncoxide.native.p2p.signal import SignalingClient
from tests.conftest import LiveServer
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import signed_in_view
from tests.native.devices.device_processes import DeviceHome, make_device, pair
from tests.native.p2p.p2p_processes import CliRun

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.e2e
BROWSER_FOLDER = "from-laptop"

OPFS_HASHES = """async ([path, skipSwapFiles]) => {
  const hex = (buffer) => Array.from(new Uint8Array(buffer),
                                     (b) => b.toString(16).padStart(2, "0")).join("");
  const found = {};
  async function walk(dir, prefix) {
    for await (const [name, handle] of dir.entries()) {
      if (!prefix && name === ".syncoxide") continue;
      if (name.startsWith(".sxpart-") || (skipSwapFiles && name.endsWith(".crswap"))) continue;
      const path = prefix + name;
      if (handle.kind === "directory") await walk(handle, path + "/");
      else {
        const bytes = await (await handle.getFile()).arrayBuffer();
        found[path] = hex(await crypto.subtle.digest("SHA-256", bytes));
      }
    }
  }
  try {
    let folder = await navigator.storage.getDirectory();
    for (const name of path) folder = await folder.getDirectoryHandle(name);
    await walk(folder, "");
  } catch (error) { return {}; }
  return found;
}"""

OPFS_WRITE = """async ([folder, path, data]) => {
  let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("folders");
  dir = await dir.getDirectoryHandle(folder);
  const parts = path.split("/");
  for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, {create: true});
  const writable = await (await dir.getFileHandle(parts.at(-1), {create: true})).createWritable();
  await writable.write(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  await writable.close();
}"""

# Spoils the room token this browser keeps for a peer, as a change of the server's room secret
# does; returns the token it held.
# How often the page has read a file's metadata (a scan reads each file's): counted from now.
GET_FILE_CALLS = """() => {
  if (window.__getFileCalls === undefined) {
    window.__getFileCalls = 0;
    const read = FileSystemFileHandle.prototype.getFile;
    FileSystemFileHandle.prototype.getFile = function () {
      window.__getFileCalls += 1;
      return read.call(this);
    };
  }
  return window.__getFileCalls;
}"""

STALE_TOKEN = """async (peer) => {
  const done = (request) => new Promise((ok, fail) => {
    request.onsuccess = () => ok(request.result); request.onerror = () => fail(request.error);
  });
  const db = await done(indexedDB.open("syncoxide-devices"));
  const store = () => db.transaction("device", "readwrite").objectStore("device");
  const document = JSON.parse(await done(store().get("this-device")));
  const held = document.meetings[peer].token;
  document.meetings[peer].token = held.split("").reverse().join("");
  await done(store().put(JSON.stringify(document), "this-device"));
  db.close();
  return held;
}"""

#: The sizes of the folder index's parts the page keeps in IndexedDB, by key.
INDEX_PARTS = """async () => {
  const done = (request) => new Promise((ok, fail) => {
    request.onsuccess = () => ok(request.result); request.onerror = () => fail(request.error);
  });
  const db = await done(indexedDB.open("syncoxide-device-index"));
  const store = () => db.transaction("parts", "readonly").objectStore("parts");
  const keys = await done(store().getAllKeys());
  const values = await done(store().getAll());
  db.close();
  return Object.fromEntries(keys.map((key, i) => [key, values[i].length]));
}"""


@pytest.fixture()
def page(
    browser: Browser, live_server: LiveServer, session_cookies: list[SetCookieParam]
) -> Iterator[Page]:
    with signed_in_view(browser, live_server, session_cookies, "devices") as opened:
        yield opened


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def disk_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): sha(path.read_bytes())
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != ".syncoxide"
    }


def opfs_hashes(page: Page, *path: str, skip_swap_files: bool = False) -> dict[str, str]:
    """The SHA-256 of each file in the OPFS directory at ``path``, by its path there (not the
    device's own ``.syncoxide`` and ``.sxpart-`` files); empty if there is no such directory."""
    found: dict[str, str] = page.evaluate(OPFS_HASHES, [list(path), skip_swap_files])
    return found


def browser_hashes(page: Page) -> dict[str, str]:
    return opfs_hashes(page, "folders", BROWSER_FOLDER)


def write_in_browser(page: Page, path: str, data: bytes) -> None:
    page.evaluate(OPFS_WRITE, [BROWSER_FOLDER, path, base64.b64encode(data).decode()])


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting until {what}")


def pair_with_browser(page: Page, cli: DeviceHome, server: str) -> str:
    page.click("#paired-offer")
    expect(page.locator("#paired-offer-code")).not_to_be_empty(timeout=30_000)
    code = page.locator("#paired-offer-code").inner_text()
    joined = cli.run("pair", code, "--server", server, "--yes", "--wait", "30")
    assert joined.returncode == 0, joined.stdout + joined.stderr
    expect(page.locator("#paired-status")).to_contain_text("Paired with laptop", timeout=30_000)
    return page.locator("#paired-own-id").inner_text()


def stop(run: CliRun) -> None:
    if run.process.poll() is None:
        run.process.send_signal(signal.SIGINT)
        try:
            run.process.wait(10)
        except Exception:
            run.stop()


def test_the_browser_syncs_a_browser_folder_with_a_cli_device(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    cli = make_device(tmp_path, "laptop")
    own_id = pair_with_browser(page, cli, live_server.url)
    files = tmp_path / "laptop-files"
    added = cli.run("folders", "add", "shared", str(files), "--with", own_id)
    assert added.returncode == 0, added.stderr
    from_cli = os.urandom(300 * 1024)  # three blocks
    (files / "docs").mkdir()
    (files / "docs" / "from-cli.bin").write_bytes(from_cli)
    (files / "notes.txt").write_bytes(b"first\n")
    run = cli.start("run", log=tmp_path / "run-1.log")
    try:
        page.select_option("#device-sync-peer", cli.device_id)
        page.fill("#device-sync-name", "shared")
        page.fill("#device-sync-folder", BROWSER_FOLDER)
        page.click("#device-sync-form button[type=submit]")
        expect(page.locator("#device-sync-status")).to_contain_text("Syncing shared")
        row = page.locator('#device-sync-table tr[data-folder="shared"]')
        expect(row).to_contain_text("connected: syncing", timeout=60_000)
        wait_until(lambda: browser_hashes(page) == disk_hashes(files), "the CLI's files arrive")
        assert browser_hashes(page)["docs/from-cli.bin"] == sha(from_cli)

        from_browser = os.urandom(200 * 1024)
        write_in_browser(page, "made here/from-browser.bin", from_browser)
        wait_until(
            lambda: disk_hashes(files).get("made here/from-browser.bin") == sha(from_browser),
            "the browser's file reaches the CLI's disk",
        )
        # Idle, the page reads nothing: the browser says what changed (FileSystemObserver),
        # where polling read every file's metadata every 2 s. A change is one file's read.
        idle_from = page.evaluate(GET_FILE_CALLS)
        time.sleep(4.5)
        assert page.evaluate(GET_FILE_CALLS) == idle_from
        write_in_browser(page, "made here/second.txt", b"told, not polled\n")
        wait_until(
            lambda: (files / "made here" / "second.txt").is_file(), "the second file arrives"
        )
        assert page.evaluate(GET_FILE_CALLS) - idle_from <= 4, "more than the new file was read"
        # The index was journalled: a header, then one small piece per save, never the whole.
        parts = page.evaluate(INDEX_PARTS)
        pieces = sorted(key for key in parts if "/journal/" in key)
        assert len(pieces) >= 3 and parts[pieces[0]] == 13, parts
        assert all(parts[key] < 2048 for key in pieces), parts
        assert serious_violations(page, include="section[data-view=devices]") == []

        second = page.context.new_page()  # a second tab waits: one tab syncs at a time
        second.goto(page.url)
        expect(second.locator("#device-sync-status")).to_contain_text(
            "Another tab of this app syncs", timeout=90_000
        )
        second.close()
    finally:
        stop(run)

    # Both edit the same file while apart: the two versions are both kept, on both sides.
    expect(row).to_contain_text("disconnected", timeout=30_000)
    (files / "notes.txt").write_bytes(b"the laptop's edit\n")
    write_in_browser(page, "notes.txt", b"the browser's edit\n")
    time.sleep(3)  # the browser's next rescan records its edit before they meet again
    run = cli.start("run", log=tmp_path / "run-2.log")
    try:
        both = {sha(b"the laptop's edit\n"), sha(b"the browser's edit\n")}

        def converged() -> bool:
            on_disk, in_browser = disk_hashes(files), browser_hashes(page)
            notes = {h for p, h in on_disk.items() if p.startswith("notes")}
            return on_disk == in_browser and notes == both

        wait_until(converged, "both versions are on both sides")
        assert len([p for p in disk_hashes(files) if p.startswith("notes")]) == 2
    finally:
        stop(run)
    assert "Traceback" not in run.output(), run.output()

    # A peer holding the laptop's key sends an index page with a '..' path: refused whole.
    expect(row).to_contain_text("disconnected", timeout=30_000)
    before = browser_hashes(page)
    sent = malformed_index_from(cli, own_id)
    assert sent == "sent", sent
    expect(row).to_contain_text("Refused the path", timeout=30_000)
    assert browser_hashes(page) == before
    assert not (tmp_path / "escape.txt").exists()

    # Revoked in the page during a session: the laptop is told at once and the sync stops.
    run = cli.start("run", log=tmp_path / "run-3.log")
    try:
        expect(row).to_contain_text("connected: syncing", timeout=60_000)
        page.click(f'#paired-trusted tr[data-device="{cli.device_id}"] button[data-action=revoke]')
        expect(page.locator("#paired-status")).to_contain_text("Revoked laptop")
        wait_until(lambda: revoked_by(cli, own_id), "the laptop holds the browser's revocation")
        expect(row).to_contain_text("not trusted any more", timeout=30_000)
        (files / "after-revoke.txt").write_bytes(b"not for a revoked pair\n")
        time.sleep(5)  # the laptop's watcher and a sync would take well under this
        assert "after-revoke.txt" not in browser_hashes(page)
    finally:
        stop(run)


def revoked_by(cli: DeviceHome, browser_id: str) -> bool:
    records = cli.json("list")["records"]
    return any(r["kind"] == "revoke" and r["signer"] == browser_id for r in records)


def malformed_index_from(cli: DeviceHome, browser_id: str) -> str:
    """Meet the browser as the CLI device (its own key, the pair's room), then send an index
    page whose second entry points outside the folder. Runs its own loop in a thread:
    Playwright's sync API holds one in this thread."""
    outcome: list[str] = []

    def run() -> None:
        try:
            asyncio.run(_malformed_index(cli, browser_id))
            outcome.append("sent")
        except Exception as error:  # reported to the test, which fails on it
            outcome.append(f"{type(error).__name__}: {error}")

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(90)
    return outcome[0] if outcome else "timed out"


async def _malformed_index(cli: DeviceHome, browser_id: str) -> None:
    store = DeviceStore(cli.config / "devices")
    me = await store.identity()
    address = FolderBook(store.folder).meeting(browser_id)
    assert address is not None
    peer = next(k for k in (await store.ledger()).trusted() if device_id(k) == browser_id)
    offerer = me.public < peer
    room = await SignalingClient.join(address, "sender" if offerer else "receiver")
    link = await negotiate(room, offer_now=False, ice=IcePolicy(), wait=60)
    try:
        view = channel_view(link, offerer=offerer)
        signature = await store.ed25519.sign(
            me.private, binding(Purpose.SYNC, address.room.encode(), view, me.public)
        )
        auth = {"type": "auth", "public": _b64(me.public), "signature": _b64(signature)}
        records = [_b64(r.to_bytes()) for r in (await store.ledger()).records()]
        version = {cli.device_id: 9}
        good = {"path": "fine.txt", "size": 0, "mtime_ns": 1, "deleted": False,
                "version": version, "blocks": [], "modified_by": cli.device_id}  # fmt: skip
        bad = {**good, "path": "../escape.txt"}
        for message in (auth, {"type": "records", "records": records},
                        {"type": "index", "folder": "shared", "entries": [good, bad]}):  # fmt: skip
            for frame in json_frames(message):
                await link.send(frame)
        reader, seen = FrameReader(), 0
        while seen < 2:  # its auth and records: it verified us before refusing the page
            message = reader.feed(await asyncio.wait_for(link.receive(), 30))
            seen += isinstance(message, dict) and message["type"] in ("auth", "records")
        await asyncio.sleep(2)  # let the page read the index before the channel closes
    finally:
        await link.close()
        await room.close()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_the_browser_syncs_with_a_device_it_trusts_through_an_introduction(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    """The desk never pairs with the browser: the laptop introduces each to the other, both
    accept, and the two meet in their own device room with the laptop stopped."""
    laptop, desk = make_device(tmp_path, "laptop"), make_device(tmp_path, "desk")
    pair(laptop, desk, live_server.url, tmp_path)
    assert laptop.run("introduce", desk.device_id).returncode == 0
    own_id = pair_with_browser(page, laptop, live_server.url)  # hands the browser its records
    page.click(f'#paired-suggested li[data-device="{desk.device_id}"] button[data-action=trust]')
    expect(page.locator("#paired-status")).to_contain_text("Now trusting desk")
    assert laptop.run("introduce", own_id).returncode == 0
    for device, other in ((laptop, desk), (desk, laptop)):
        lan = str(tmp_path / f"lan-{device.name}")
        added = device.run("folders", "add", "lan", lan, "--with", other.device_id)
        assert added.returncode == 0, added.stderr
    runs = [device.start("run", log=tmp_path / f"{device.name}.log") for device in (laptop, desk)]
    try:  # the laptop's daemon hands the desk its introduction of the browser
        wait_until(lambda: bool(desk.json("list")["suggested"]), "the desk hears of the browser")
    finally:
        for run in runs:
            stop(run)
    assert desk.json("trust", own_id)["introduced_by"] == laptop.device_id
    files = tmp_path / "desk-files"
    added = desk.run("folders", "add", "shared", str(files), "--with", own_id)
    assert added.returncode == 0, added.stderr
    (files / "from-desk.txt").write_bytes(b"made on the desk\n")

    run = desk.start("run", log=tmp_path / "desk-alone.log")  # the laptop stays stopped
    try:
        page.reload()  # the desk, trusted here through the laptop, is offered to sync with
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        page.select_option("#device-sync-peer", desk.device_id)
        page.fill("#device-sync-name", "shared")
        page.fill("#device-sync-folder", BROWSER_FOLDER)
        page.click("#device-sync-form button[type=submit]")
        row = page.locator('#device-sync-table tr[data-folder="shared"]')
        expect(row).to_contain_text("connected: syncing", timeout=60_000)
        wait_until(lambda: browser_hashes(page) == disk_hashes(files), "the desk's file arrives")
        from_browser = os.urandom(100 * 1024)
        write_in_browser(page, "from-browser.bin", from_browser)
        wait_until(
            lambda: disk_hashes(files).get("from-browser.bin") == sha(from_browser),
            "the browser's file reaches the desk",
        )
    finally:
        stop(run)
    assert f"Connected to {own_id}." in run.output(), run.output()
    assert "Traceback" not in run.output(), run.output()
    page.reload()  # the pair's device room was asked once and is kept
    desk_row = page.locator(f'#paired-trusted tr[data-device="{desk.device_id}"]')
    expect(desk_row).to_contain_text("meeting room kept", timeout=90_000)


def test_a_refused_room_token_is_asked_for_again_on_both_sides(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    """Both kept tokens of the pair's room are refused (as after the server's room secret
    changed): the CLI and the browser each ask for the pair's device room once and meet there."""
    cli = make_device(tmp_path, "laptop")
    own_id = pair_with_browser(page, cli, live_server.url)
    files = tmp_path / "laptop-files"
    added = cli.run("folders", "add", "shared", str(files), "--with", own_id)
    assert added.returncode == 0, added.stderr
    (files / "hello.txt").write_bytes(b"met in a fresh room\n")
    book = FolderBook(cli.config / "devices")
    paired = book.meeting(own_id)
    assert paired is not None
    book.remember_meeting(own_id, replace(paired, token=paired.token[::-1]))
    assert page.evaluate(STALE_TOKEN, cli.device_id) == paired.token
    run = cli.start("run", log=tmp_path / "stale-token.log")
    try:
        page.select_option("#device-sync-peer", cli.device_id)
        page.fill("#device-sync-name", "shared")
        page.fill("#device-sync-folder", BROWSER_FOLDER)
        page.click("#device-sync-form button[type=submit]")
        row = page.locator('#device-sync-table tr[data-folder="shared"]')
        expect(row).to_contain_text("connected: syncing", timeout=90_000)
        wait_until(lambda: browser_hashes(page) == disk_hashes(files), "the CLI's file arrives")
    finally:
        stop(run)
    fresh = book.meeting(own_id)
    assert fresh is not None and fresh.room != paired.room  # the pair's device room now
    assert page.evaluate(STALE_TOKEN, cli.device_id) == fresh.token  # the browser keeps it too
    assert "Traceback" not in run.output(), run.output()
