"""Playwright driving Debian's Chromium (never a downloaded browser) against a live server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2
import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page, expect, sync_playwright

from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PROJECT_ROOT,
    LiveServer,
    chromium_log_tail,
    launch_chromium,
)
from tests.e2e.python_snapshot import context_on, start_contexts_from_snapshot

if TYPE_CHECKING:  # Playwright declares its cookie type here and re-exports it nowhere public
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.e2e


# Module scope: Playwright's sync API keeps an asyncio loop running while it is open, and
# tests elsewhere call asyncio.run(); closing the browser after each module lets them.
@pytest.fixture(scope="module")
def browser(
    tmp_path_factory: pytest.TempPathFactory,
    live_server: LiveServer,
    session_cookies: list[SetCookieParam],
) -> Iterator[Browser]:
    """Chromium whose new contexts start Python from a snapshot on the live server's origin."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `./dev test` installs it with apt-get install chromium"
        )
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright, CHROMIUM_ARGS, tmp_path_factory.mktemp("chromium"))
        start_contexts_from_snapshot(launched, live_server.url, session_cookies, tmp_path_factory)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Close every browser context the test body opened and left open, pass or fail.

    A context left open keeps its pages running (Pyodide, WebRTC, timers) until the module's
    browser closes, so on a two-core machine running two workers the later tests of a module
    share CPU and memory with every page the earlier ones forgot. Contexts made by fixtures
    (set up before the call) are theirs to close and are left alone."""
    browsers = [value for value in item.funcargs.values() if isinstance(value, Browser)]  # type: ignore[attr-defined]
    opened_before = {id(context) for browser in browsers for context in browser.contexts}
    try:
        return (yield)
    except Error as error:
        if "crashed" in error.message:  # "Target crashed": keep what the machine looked like
            item.add_report_section("call", "machine when the page crashed", machine_state())
            for browser in browsers:
                item.add_report_section("call", "Chromium's log", chromium_log_tail(browser))
        raise
    finally:
        for context in _contexts_opened_since(browsers, opened_before):
            with suppress(Error):  # a crashed or closing context: the test's own error counts
                context.close()


def _contexts_opened_since(browsers: list[Browser], before: set[int]) -> list[BrowserContext]:
    return [c for browser in browsers for c in browser.contexts if id(c) not in before]


def machine_state() -> str:
    """Memory, shared memory and load now: a renderer crash was seen once with two workers
    (measured since: 17 GiB or more free, /dev/shm unused, as Playwright passes
    --disable-dev-shm-usage); this tells the next one apart from running out of memory."""
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    shm = shutil.disk_usage("/dev/shm")
    renderers = sum(b"--type=renderer" in _command_line(p) for p in Path("/proc").glob("[0-9]*"))
    return (
        f"MemAvailable {meminfo['MemAvailable'].strip()}, /dev/shm {shm.used >> 20} MiB used of "
        f"{shm.total >> 20}, load {os.getloadavg()}, Chromium renderers on the machine {renderers}"
    )


def _command_line(process: Path) -> bytes:
    try:
        return (process / "cmdline").read_bytes()
    except OSError:  # it ended meanwhile
        return b""


E2E_USER = "e2e"
E2E_PASSWORD = "e2e password 123"


@pytest.fixture(scope="session")
def e2e_user(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A local user made the way the README says: `syncoxide user add`."""
    password_file = tmp_path_factory.mktemp("e2e-user") / "password"
    password_file.write_text(E2E_PASSWORD + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "syncoxide.cli.main",
            "user",
            "add",
            E2E_USER,
            "--password-file",
            str(password_file),
            "--data-dir",
            str(live_server.data_dir),
        ],
        check=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=60,
    )
    return E2E_USER


@pytest.fixture(scope="session")
def session_cookies(live_server: LiveServer, e2e_user: str) -> list[SetCookieParam]:
    """A signed-in session for tests about the app itself rather than about signing in."""
    response = httpx2.post(
        f"{live_server.url}/api/v1/session",
        json={"name": e2e_user, "password": E2E_PASSWORD},
        timeout=10,
    )
    response.raise_for_status()
    return [
        {"name": name, "value": value, "url": live_server.url}
        for name, value in response.cookies.items()
    ]


def signed_in_context(
    browser: Browser, url: str, cookies: Mapping[str, str], **options: Any
) -> BrowserContext:
    """A context signed in to the server at ``url`` (a test's own) with ``cookies`` (its API
    client's), whose pages start Python from the snapshot there."""
    context = context_on(browser, url, **options)
    context.add_cookies(
        [{"name": name, "value": value, "url": url} for name, value in cookies.items()]
    )
    return context


@contextmanager
def signed_in_view(
    browser: Browser, live_server: LiveServer, cookies: list[SetCookieParam], view: str
) -> Iterator[Page]:
    """The app opened on one view, signed in, with downloads allowed."""
    # The snapshot for ``live_server``'s origin, which may be a test's own server.
    context = context_on(browser, live_server.url, accept_downloads=True)
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(f"{live_server.url}/#/{view}")
        expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
        yield page
    finally:  # a failed test leaves no page running beside the next one
        context.close()


@pytest.fixture()
def vault_page(
    browser: Browser, live_server: LiveServer, session_cookies: list[SetCookieParam]
) -> Iterator[Page]:
    """The app's Vault view, signed in, with downloads allowed."""
    with signed_in_view(browser, live_server, session_cookies, "vault") as page:
        yield page
