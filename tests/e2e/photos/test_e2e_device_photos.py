"""The Photos view with a folder of this device: its photos are read in the page (EXIF date,
orientation, thumbnail, pHash, SHA-256), join the server's on one timeline with a "This
device" badge, are found as duplicates (a resized copy looks alike; a photo also on the
server has the same bytes), are read from the browser's cache on the next visit, and reach
the server only when "Upload to my files" is clicked.

Chromium under test cannot click the native folder picker, so the picker's answer is a folder
in the page's private storage (OPFS): a real FileSystemDirectoryHandle, as in the Files
view's tests.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from syncoxide.native.photos.facts import read_facts
from syncoxide.photos.near_duplicates import DEFAULT_MAX_DISTANCE
from tests.conftest import LiveServer
from tests.e2e.browser_python import run_python_in_page
from tests.e2e.conftest import signed_in_context
from tests.e2e.python_snapshot import context_on
from tests.server.photos.test_photos_api import jpeg, picture

pytestmark = pytest.mark.e2e

PICKER_GIVES_PICTURES = """
window.showDirectoryPicker = async () => {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle("device")).getDirectoryHandle("Pictures");
};
window.__decoded = 0;  // how many images the page decoded (a cached photo is not decoded)
const decode = window.createImageBitmap.bind(window);
window.createImageBitmap = (...args) => { window.__decoded += 1; return decode(...args); };
"""

FILL_PICTURES = """async (files) => {
  const root = await navigator.storage.getDirectory();
  const pictures = await (await root.getDirectoryHandle("device", {create: true}))
    .getDirectoryHandle("Pictures", {create: true});
  for (const [path, b64] of Object.entries(files)) {
    let folder = pictures;
    const parts = path.split("/");
    for (const part of parts.slice(0, -1)) {
      folder = await folder.getDirectoryHandle(part, {create: true});
    }
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const out = await (await folder.getFileHandle(parts.at(-1), {create: true})).createWritable();
    await out.write(bytes);
    await out.close();
  }
}"""

# A function, not an expression: Playwright polls an expression again through eval, which the
# app's CSP refuses (it passed only when the thumbnails had loaded by the first look).
THUMBNAILS_LOADED = (
    "() => [...document.querySelectorAll('#photos-timeline img')]"
    ".every(i => i.complete && i.naturalWidth > 0)"
)


def device_files() -> dict[str, bytes]:
    sunset = picture(3)
    small = io.BytesIO()
    sunset.resize((600, 450)).save(small, "JPEG", quality=55)  # no EXIF: dated by file time
    return {
        "Camera/sunset.jpg": jpeg(sunset, "2026:07:14 10:00:00"),
        "Camera/sunset-small.jpg": small.getvalue(),
        "Trip/forest.jpg": jpeg(picture(7), "2025:01:02 08:00:00", orientation=6),
        "Trip/broken.jpg": b"\xff\xd8\xff\xe0 not really a photo",
        "Trip/IMG_0001.heic": b"\x00\x00\x00\x18ftypheic",
    }


def _photos_page(context: BrowserContext, server: LiveServer) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/#/photos")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    return page


def test_a_device_folder_joins_the_timeline_and_the_duplicates(
    browser: Browser, server: LiveServer, api: httpx2.Client
) -> None:
    files = device_files()
    stored = api.put("/api/v1/storage/content", params={"path": "Camera/forest.jpg"},
                     content=files["Trip/forest.jpg"])  # fmt: skip
    assert stored.status_code == 200, stored.text
    context = signed_in_context(browser, server.url, api.cookies)
    context.add_init_script(PICKER_GIVES_PICTURES)
    page = _photos_page(context, server)
    timeline = page.locator("#photos-timeline")
    expect(timeline.locator("figure")).to_have_count(1, timeout=30_000)  # the server's photo
    page.evaluate(FILL_PICTURES, {p: base64.b64encode(b).decode() for p, b in files.items()})

    page.click("#photos-add-folder")
    expect(page.locator("li.photo-folder")).to_contain_text("Pictures")
    device = timeline.locator("figure.device")
    expect(device).to_have_count(3, timeout=60_000)
    today = dt.datetime.now(dt.UTC).date().isoformat()  # OPFS stamps files with "now"
    expect(timeline.locator("h2.photo-day")).to_have_text([today, "2026-07-14", "2025-01-02"])
    sunset = device.filter(has_text="sunset.jpg")
    expect(sunset).to_contain_text("This device")
    expect(sunset).to_contain_text("Pictures · 2026-07-14 10:00:00 · 1200×900")
    forest = device.filter(has_text="forest.jpg")
    expect(forest).to_contain_text("2025-01-02 08:00:00 · 900×1200")  # EXIF turn applied
    expect(device.filter(has_text="sunset-small.jpg")).to_contain_text("(file time)")
    server_forest = timeline.locator('figure[data-source="home"]')
    expect(server_forest).to_contain_text("2025-01-02 08:00:00")
    expect(server_forest).not_to_contain_text("This device")
    expect(timeline).to_contain_text("Trip/broken.jpg")  # unreadable, said so
    expect(timeline).to_contain_text("Trip/IMG_0001.heic")  # not supported, said so
    page.wait_for_function(THUMBNAILS_LOADED, timeout=30_000)
    assert page.evaluate("window.__decoded") == 4  # three photos and the broken one

    page.click("#photos-find-duplicates")
    groups = page.locator("#photos-duplicates .photo-group")
    expect(groups).to_have_count(2)
    same = groups.filter(has_text="Same bytes")
    expect(same.locator("figure")).to_have_count(2)
    expect(same.locator('figure[data-source="home"]')).to_contain_text("forest.jpg")
    expect(same.locator('figure[data-source="device:Pictures"]')).to_contain_text("forest.jpg")
    alike = groups.filter(has_text="Look alike")
    expect(alike.locator("figure")).to_have_count(2)
    expect(alike).to_contain_text("sunset.jpg")
    expect(alike).to_contain_text("sunset-small.jpg")
    expect(alike).to_contain_text("in a folder of this device")
    expect(alike.locator("button[data-action=keep]")).to_have_count(0)
    assert _server_paths(api) == ["Camera/forest.jpg"]  # nothing was uploaded

    again = _photos_page(context, server)  # a second visit: read from the cache
    expect(again.locator("#photos-timeline figure.device")).to_have_count(3, timeout=60_000)
    again.wait_for_function(THUMBNAILS_LOADED, timeout=30_000)
    assert again.evaluate("window.__decoded") == 0

    again.locator("figure.device", has_text="sunset-small.jpg").locator(
        "button[data-action=upload]"
    ).click()
    expect(again.locator("#photos-status")).to_contain_text("Uploaded", timeout=30_000)
    assert "Photos from this device/Pictures/Camera/sunset-small.jpg" in _server_paths(api)
    uploaded = again.locator('#photos-timeline figure[data-source="home"]')
    expect(uploaded.filter(has_text="sunset-small.jpg")).to_have_count(1, timeout=30_000)

    again.click("li.photo-folder button[data-action=remove]")  # the device's photos go away
    expect(again.locator("#photos-timeline figure.device")).to_have_count(0, timeout=30_000)
    expect(again.locator("#photos-timeline")).not_to_contain_text("IMG_0001.heic")
    expect(again.locator("#photos-folders")).to_contain_text("No folder of this device")
    context.close()


def _server_paths(api: httpx2.Client) -> list[str]:
    listed = api.get("/api/v1/storage", params={"recursive": "true"})
    assert listed.status_code == 200, listed.text
    return sorted(e["path"] for e in listed.json()["entries"] if e["kind"] == "file")


def test_the_browser_and_the_server_read_one_photo_alike(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    """The page's facts of a photo against the server's (Pillow, imagehash) for the same bytes:
    same date and shown size; pHashes a few bits apart (the scalers differ), well inside the
    near-duplicate threshold, so a device photo and its copy elsewhere are found together."""
    photos = {"tall": jpeg(picture(5), "2024:02:29 07:30:00", orientation=6),
              "wide": jpeg(picture(11, (2000, 1000)), "2023:10:01 18:00:00")}  # fmt: skip
    server_side = {}
    for name, data in photos.items():
        (tmp_path / f"{name}.jpg").write_bytes(data)
        facts = read_facts(tmp_path / f"{name}.jpg")
        server_side[name] = [facts.taken, facts.width, facts.height, facts.phash]
    encoded = {name: base64.b64encode(data).decode() for name, data in photos.items()}
    context = context_on(browser, server.url)  # the snapshot for this server's origin
    page = context.new_page()
    code = f"""
        import base64, js, json
        from pyodide.ffi import to_js
        from syncoxide_web.photos.device_photos import read_photo
        found = {{}}
        for name, data in {encoded!r}.items():
            blob = js.Blob.new(to_js([to_js(base64.b64decode(data))]))
            facts = await read_photo(blob)
            found[name] = [facts.taken, facts.width, facts.height, facts.phash]
        js.document.body.dataset.facts = json.dumps(found)
    """
    assert run_python_in_page(page, server.url, code) == "ok"
    page_side = json.loads(page.evaluate("document.body.dataset.facts"))
    context.close()
    for name, (taken, width, height, phash) in server_side.items():
        assert page_side[name][:3] == [taken, width, height], name
        bits = (int(phash, 16) ^ int(page_side[name][3], 16)).bit_count()
        assert bits <= DEFAULT_MAX_DISTANCE // 2, f"{name}: {bits} bits apart"


def test_the_photo_cache_drops_the_least_recently_shown_over_its_cap(
    browser: Browser, server: LiveServer
) -> None:
    """The cap in the browser's own IndexedDB: entries of 1,000-byte thumbnails (1,300 bytes
    with their facts), the uses remembered from one visit to the next."""
    context = context_on(browser, server.url)  # the snapshot for this server's origin
    page = context.new_page()
    code = """
        import js, json
        from pyodide.ffi import to_js
        from syncoxide_web.photos import photo_cache
        from syncoxide_web.photos.photo_cache import CachedPhoto

        def photo(n):
            blob = js.Blob.new(to_js([to_js(bytes([n]) * 1000)]))
            return CachedPhoto("", 1, 1, f"hash{n}", "0", blob)

        entries = {f"k{n}": photo(n) for n in range(4)}
        await photo_cache.keep(entries)
        seen = []
        async def visit(shown, now, limit):
            await photo_cache.cap(entries, shown, now, limit)
            kept = await photo_cache.load_all()
            first = [bytes((await p.thumbnail.arrayBuffer()).to_bytes())[0] for p in kept.values()]
            seen.append([sorted(kept), first])
        await visit({"k0", "k1", "k2", "k3"}, 1000, 10**6)
        await visit({"k2", "k3"}, 2000, 2700)
        await visit({"k3"}, 3000, 1300)
        js.document.body.dataset.seen = json.dumps(seen)
    """
    assert run_python_in_page(page, server.url, code) == "ok"
    seen = json.loads(page.evaluate("document.body.dataset.seen"))
    context.close()
    assert seen == [
        [["k0", "k1", "k2", "k3"], [0, 1, 2, 3]],  # all fit
        [["k2", "k3"], [2, 3]],  # shown earlier, dropped first
        [["k3"], [3]],  # k2's last use (2000) was remembered
    ]
