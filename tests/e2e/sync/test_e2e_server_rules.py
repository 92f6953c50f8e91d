"""A sync rule made in the app runs on the server with the browser closed.

In Chromium: sign in, connect a WebDAV server (wsgidav) and an S3 server (``rclone serve s3``)
in Files, create a copy rule in Sync, close the browser. Then a file added to the source
arrives at the destination on the rule's next scheduled run; every file is verified by hash
through the S3 API. Reopened, the app shows the rule in step and its runs, and a run started
from elsewhere appears in it live. And Dropbox is
connected through its consent screen (the FAKE Dropbox server's).
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from tests.conftest import PROJECT_ROOT, LiveServer, start_live_server
from tests.e2e.python_snapshot import context_on
from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET
from tests.fakes.serving import served
from tests.server.rules.rules_world import file_digests
from tests.servers import ACCESS_KEY, DAV_PASSWORD, DAV_USER, SECRET_KEY, S3Server, WebDavServer

pytestmark = pytest.mark.e2e
USER, PASSWORD = "rules-e2e", "rules e2e password"
INTERVAL_SECONDS = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own, started after the S3 test setup cleared AWS_CA_BUNDLE."""
    data = tmp_path_factory.mktemp("rules-e2e") / "data"
    password = data.parent / "password"
    password.write_text(PASSWORD + "\n")
    add = [sys.executable, "-m", "syncoxide.cli.main", "user", "add", USER]
    subprocess.run(
        [*add, "--password-file", str(password), "--data-dir", str(data)],
        check=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=60,
    )
    live = start_live_server(data)
    yield live
    _code, output = live.stop()
    assert "Traceback" not in output, output[-4000:]


def _signed_in(browser: Browser, server: LiveServer) -> BrowserContext:
    answer = httpx2.post(
        f"{server.url}/api/v1/session", json={"name": USER, "password": PASSWORD}, timeout=10
    )
    answer.raise_for_status()
    # On this server's origin: the browser's own contexts get the snapshot for the shared
    # server's, and without one here every page started Python from nothing (~8 s each).
    context = context_on(browser, server.url)
    context.add_cookies(
        [{"name": k, "value": v, "url": server.url} for k, v in answer.cookies.items()]
    )
    return context


def _run_from_elsewhere(server: LiveServer) -> None:
    """Run the user's rule now through the API, from another session than the page's."""
    with httpx2.Client(base_url=server.url, timeout=10) as api:
        signed = api.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        api.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        (rule,) = api.get("/api/v1/rules").json()["rules"]
        for _ in range(60):  # a scheduled run may be under way: "running already" until done
            if api.post(f"/api/v1/rules/{rule['id']}/run").status_code == 202:
                return
            time.sleep(0.5)
        raise AssertionError("the rule never stopped running")


def _open(context: BrowserContext, server: LiveServer, view: str) -> Page:
    page = context.new_page()
    page.goto(f"{server.url}/#/{view}")
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    return page


def _connect(page: Page, name: str, kind: str, options: dict[str, str]) -> None:
    page.fill("#connect-name", name)
    page.select_option("#connect-kind", kind)
    page.fill("#connect-options", "\n".join(f"{k}={v}" for k, v in options.items()))
    page.click("#connect-submit")
    expect(page.locator("#connect-status")).to_have_text(f"Connected {name}.", timeout=30_000)
    row = page.locator("li.connection", has_text=name)
    expect(row.locator(".connection-state")).to_have_text("connected")


def _s3_digests(s3: S3Server, prefix: str) -> dict[str, str]:
    settings = S3Settings(
        bucket=s3.bucket,
        prefix=prefix,
        endpoint_url=s3.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )

    async def read() -> dict[str, str]:
        return await file_digests(S3Provider(settings))

    # Playwright's sync API holds this thread's event loop: read from another thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


def _wait_for(check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_a_rule_made_in_the_app_runs_on_the_server_with_the_browser_closed(
    browser: Browser, server: LiveServer, wsgidav_server: WebDavServer, rclone_s3: S3Server
) -> None:
    source = f"e2e-{uuid.uuid4().hex[:8]}"
    folder = wsgidav_server.root / source
    (folder / "albums").mkdir(parents=True)
    files = {"albums/one.jpg": bytes(range(256)) * 2000, "notes.txt": b"keep me in step\n" * 99}
    for path, content in files.items():
        (folder / path).write_bytes(content)

    context = _signed_in(browser, server)
    page = _open(context, server, "files")
    dav = {"url": wsgidav_server.url, "username": DAV_USER, "password": DAV_PASSWORD}
    _connect(page, "nas", "webdav", dav)
    bucket = {
        "endpoint": rclone_s3.endpoint,
        "bucket": rclone_s3.bucket,
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
    }
    _connect(page, "bucket", "s3", bucket)

    page.goto(f"{server.url}/#/sync")
    page.fill("#rule-name", "nas to bucket")
    page.select_option("#rule-source", label="nas (webdav)")
    page.fill("#rule-source-path", source)
    page.select_option("#rule-dest", label="bucket (s3)")
    page.fill("#rule-dest-path", f"{source}-backup")
    page.select_option("#rule-mode", "copy")
    page.fill("#rule-every", str(INTERVAL_SECONDS))
    page.select_option("#rule-unit", "seconds")
    page.click("#rule-create")
    expect(page.locator("#rule-status")).to_contain_text("Created", timeout=30_000)
    expect(page.locator("li.rule")).to_contain_text("nas to bucket")
    context.close()  # no browser from here on: the server works alone

    later = b"added after the browser was closed"
    (folder / "albums" / "later.jpg").write_bytes(later)
    files["albums/later.jpg"] = later
    want = {path: hashlib.sha256(content).hexdigest() for path, content in files.items()}
    arrived = _wait_for(lambda: _s3_digests(rclone_s3, f"{source}-backup") == want, 60)
    assert arrived, _s3_digests(rclone_s3, f"{source}-backup")

    context = _signed_in(browser, server)
    page = _open(context, server, "sync")
    rule = page.locator("li.rule", has_text="nas to bucket")
    expect(rule.locator(".rule-state")).to_have_text("in step", timeout=30_000)
    expect(rule.locator("li.run[data-status='ok']").first).to_contain_text("schedule")
    ok_runs = rule.locator("li.run[data-status='ok']")
    assert _wait_for(lambda: ok_runs.count() >= 2, 30), ok_runs.count()
    expect(rule.locator("li.run", has_text="manual")).to_have_count(0)
    _run_from_elsewhere(server)  # the open page learns of it on the live event socket
    expect(rule.locator("li.run", has_text="manual")).to_have_count(1, timeout=30_000)
    page.goto(f"{server.url}/#/files")
    page.fill("#files-query", "later")
    page.click("#files-search")
    note = page.locator("#files-results .index-coverage")  # the index never read them yet
    expect(note).to_contain_text("Never read into the index: bucket, nas", timeout=30_000)
    note.get_by_role("button", name="Refresh the index").click()
    expect(note).to_have_count(0, timeout=60_000)
    expect(page.locator("#files-results")).to_contain_text(f"{source}-backup/albums/later.jpg")
    expect(page.locator("#files-results")).to_contain_text(f"{source}/albums/later.jpg")
    context.close()


def test_dropbox_is_connected_through_its_consent_screen(
    browser: Browser, server: LiveServer
) -> None:
    fake = FakeDropbox()  # FAKE Dropbox: its consent screen answers at once for a fake user
    with served(fake.faults) as url:
        context = _signed_in(browser, server)
        page = _open(context, server, "files")
        page.fill("#connect-name", "dbx")
        page.select_option("#connect-kind", "dropbox")
        options = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "auth_url": f"{url}/oauth2/authorize",
            "token_url": f"{url}/oauth2/token",
            "api_url": url,
            "content_url": url,
        }
        page.fill("#connect-options", "\n".join(f"{k}={v}" for k, v in options.items()))
        page.click("#connect-consent")
        page.wait_for_url(f"{server.url}/?connected=dbx#/files", timeout=30_000)
        page.wait_for_load_state()
        # The app starts again on the page it came back to, and shows the outcome.
        expect(page.locator("#connect-status")).to_have_text("Connected dbx.", timeout=90_000)
        assert page.url == f"{server.url}/#/files"  # shown once: a reload does not repeat it
        row = page.locator("li.connection", has_text="dbx")
        expect(row.locator(".connection-state")).to_have_text("connected")
        context.close()
    assert fake.tokens.renewals == 1  # the check renewed with the refresh token from consent
