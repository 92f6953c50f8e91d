"""Browser contexts that start Python from a memory snapshot, as a returning visitor's do.

Each test opens fresh browser contexts, and a fresh context has an empty Cache Storage: every
page of the app would start the Python interpreter from nothing (seconds of CPU on two cores)
and then, once ready, start a second one in a worker to store a snapshot for the next visit
that never comes. So the first app page of a test worker makes the snapshot the app's own way
(web/static/app-boot.mjs and python-snapshot-worker.mjs), it is saved to a file once, and every
context the browser opens later gets it put into its Cache Storage before the test sees the
context. Pages then restore it, the app's warm start (test_e2e_app_loads checks both starts);
a test about the first visit opens its context with ``fresh_context``.

The 31 MB go through files, not through Playwright's connection: a download out of the page,
and a file input into each new context (a route answering with the bytes took 20-30 s).

The snapshot is made once per run: under pytest-xdist the workers' temporary folders share the
run's own parent, where the first worker to take the lock makes it and the others wait for it
and read it. Made by both workers at once, each took 11.5-16.8 s of a loaded two-core machine
(10-14 s alone), before any test of theirs could begin.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam

# web/static/app-boot.mjs's SNAPSHOTS: the Cache Storage the app restores snapshots from.
SNAPSHOTS = "syncoxide-python-snapshots"
STORED_TIMEOUT_MS = 300_000  # the app ready, then a second interpreter started in a worker
PRIMED_TIMEOUT_MS = 60_000
_PRIME = "/__test__/python-snapshot.html"
# Hands the stored snapshot out of the page as a download; answers the key it is stored under.
_SAVE = """async (name) => {
  const cache = await caches.open(name);
  const [request] = await cache.keys();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await (await cache.match(request)).blob());
  link.download = "python-snapshot.bin";
  document.body.append(link);
  link.click();
  return request.url;
}"""
# Stores the file put into its input under the key the app looks for.
_PRIME_PAGE = """<!doctype html><html><body><input type="file" id="snapshot">
<script type="module">
document.getElementById("snapshot").addEventListener("change", async (event) => {
  const body = event.target.files[0];  // the File itself: no copy of it in the page's heap
  const cache = await caches.open(%(cache)s);
  await cache.put(new URL(%(path)s, location.origin).href, new Response(body, {
    headers: { "Content-Type": "application/octet-stream" },
  }));
  document.documentElement.dataset.primed = "1";
});
</script></body></html>"""


@dataclass(frozen=True)
class PythonSnapshot:
    path: str  # the key's path, /__python-snapshot/<build>: the same on every origin
    file: Path


_made: dict[str, PythonSnapshot] = {}  # one per worker process, made by its first browser


def fresh_context(browser: Browser, **options: Any) -> BrowserContext:
    """A context with nothing stored, as on a first visit (no snapshot put into it)."""
    return Browser.new_context(browser, **options)


def context_on(browser: Browser, origin: str, **options: Any) -> BrowserContext:
    """A context whose pages start Python from the snapshot on ``origin``, for a test that
    runs a server of its own (fresh, if this process made none yet)."""
    context = fresh_context(browser, **options)
    if snapshot := _made.get("snapshot"):
        _put_snapshot(context, origin, snapshot)
    return context


def start_contexts_from_snapshot(
    browser: Browser,
    origin: str,
    cookies: list[SetCookieParam],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """From now on every ``browser.new_context()`` gets the snapshot for ``origin``
    (made on the first call of the run, by whichever worker comes first)."""
    snapshot = _made.get("snapshot") or _made.setdefault(
        "snapshot", _snapshot_of_this_run(browser, origin, cookies, tmp_path_factory)
    )

    def new_context(**options: Any) -> BrowserContext:
        context = fresh_context(browser, **options)
        _put_snapshot(context, origin, snapshot)
        return context

    # On this object only: tests keep calling browser.new_context() as Playwright documents it.
    setattr(browser, "new_context", new_context)  # noqa: B010


def _snapshot_of_this_run(
    browser: Browser,
    origin: str,
    cookies: list[SetCookieParam],
    tmp_path_factory: pytest.TempPathFactory,
) -> PythonSnapshot:
    """The run's snapshot: read from the run's folder, or made there under its lock."""
    folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # popen-gwN, in a folder of this run's own
        folder = folder.parent
    file, key = folder / "python-snapshot.bin", folder / "python-snapshot.json"
    with (folder / "python-snapshot.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed, even if the making fails
        if not key.exists():  # written last: the file beside it is whole
            made = _make_snapshot(browser, origin, cookies, file)
            key.write_text(json.dumps(made.path))
        return PythonSnapshot(json.loads(key.read_text()), file)


def _make_snapshot(
    browser: Browser, origin: str, cookies: list[SetCookieParam], file: Path
) -> PythonSnapshot:
    context = fresh_context(browser, accept_downloads=True)
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(f"{origin}/#/home")
        expect(page.locator("html")).to_have_attribute(
            "data-python-snapshot", "stored", timeout=STORED_TIMEOUT_MS
        )
        with page.expect_download() as download:
            key = str(page.evaluate(_SAVE, SNAPSHOTS))
        download.value.save_as(file)
        assert file.stat().st_size > 0, "the stored snapshot could not be read back"
        return PythonSnapshot(key.removeprefix(origin), file)
    finally:
        context.close()


def _put_snapshot(context: BrowserContext, origin: str, snapshot: PythonSnapshot) -> None:
    document = _PRIME_PAGE % {"cache": json.dumps(SNAPSHOTS), "path": json.dumps(snapshot.path)}
    url = f"{origin}{_PRIME}"
    context.route(url, lambda route: route.fulfill(content_type="text/html", body=document))
    page = context.new_page()
    try:
        page.goto(url)
        page.set_input_files("#snapshot", snapshot.file)
        expect(page.locator("html")).to_have_attribute(
            "data-primed", "1", timeout=PRIMED_TIMEOUT_MS
        )
    finally:
        page.close()
        context.unroute(url)
