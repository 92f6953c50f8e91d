"""In Chromium's Pyodide: a DOM lookup that finds nothing is not ``present`` (nor is a missing
``data-`` value, read with ``data_of``), and a background task that fails is reported on the
console with its traceback while the others carry on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.conftest import LiveServer
from tests.e2e.browser_python import run_python_in_page

pytestmark = pytest.mark.e2e


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_lookups_that_find_nothing_are_not_present(page: Page, live_server: LiveServer) -> None:
    result = run_python_in_page(
        page,
        live_server.url,
        """
        import js
        from pyodide.ffi import jsnull
        from syncoxide_web.links.request_keys import stored_key_text
        from syncoxide_web.platform.dom import data_of, make, present

        button = make("button", "Go")
        button.dataset.action = "open"
        js.document.body.appendChild(button)
        missed = {
            "closest": button.closest("tr"),
            "querySelector": js.document.querySelector("#no-such-element"),
            "getAttribute": button.getAttribute("data-revoke"),
            "getElementById": js.document.getElementById("no-such-element"),
            "localStorage.getItem": js.localStorage.getItem("no-such-key"),
        }
        # Why the helper exists: this Pyodide gives JS null as jsnull, which 'is None' misses.
        assert all(value is jsnull for value in missed.values()), missed
        assert not any(present(value) for value in missed.values()), missed
        try:  # a missing data- value is undefined, which Pyodide refuses as an attribute
            button.dataset.folder
            raise AssertionError("a missing data- value was read")
        except AttributeError:
            pass
        assert data_of(button, "folder") is None
        assert data_of(button, "action") == "open"
        button.dataset.folder = ""
        assert data_of(button, "folder") == ""  # empty, yet there (the top folder's crumb)
        assert not present(None)
        assert present(button.closest("body"))
        assert present(button.getAttribute("data-action"))
        assert present("") and present(0)  # empty but there: only None and null are nothing
        assert stored_key_text("no-such-link") is None  # was the text "jsnull"
    """,
    )
    assert result == "ok", result


def test_a_failed_background_task_is_reported_and_the_others_run(
    page: Page, live_server: LiveServer
) -> None:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    result = run_python_in_page(
        page,
        live_server.url,
        """
        import asyncio
        from syncoxide_web.platform.dom import Listeners

        async def read_the_list():
            await asyncio.sleep(0)
            raise ValueError("the list could not be read")

        ran = []

        async def keep_going():
            await asyncio.sleep(0.01)
            ran.append("yes")

        listeners = Listeners()
        failing = listeners.start(read_the_list())
        healthy = listeners.start(keep_going())
        await asyncio.wait([failing, healthy])
        await listeners.start(keep_going())
        assert ran == ["yes", "yes"]
    """,
    )
    assert result == "ok", result
    reported = [text for text in errors if "background task" in text]
    assert len(reported) == 1, errors
    assert "read_the_list" in reported[0]
    assert "ValueError('the list could not be read')" in reported[0]
    assert "Traceback (most recent call last)" in reported[0]
