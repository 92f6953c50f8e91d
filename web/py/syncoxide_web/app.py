"""Start the app: wire the views the server already rendered, the one on screen first.

The page is usable before this runs: the server sends every view's layout, and
``web/static/app-shell.js`` switches views by the URL hash and holds any action asked for
before its view is wired, then replays it. Starting a view imports its modules, so the view on
screen starts first and ``data-ready`` turns "1" as soon as it works; the others follow in the
background, each turning its section's ``data-wired`` from "0" to "1".
"""

from __future__ import annotations

import asyncio
import traceback

import js

from syncoxide.runtime import current_runtime
from syncoxide_web.platform.browser import browser_checks, storage_estimate
from syncoxide_web.platform.dom import element, present, show
from syncoxide_web.views import (
    SECTIONS,
    Section,
    Shared,
    browser_checks_html,
    runtime_facts_html,
    view_key_from_hash,
)


async def start() -> App:
    app = App()
    try:
        await app.start()
    except Exception as error:
        js.window.syncoxideBootError(f"The app could not start: {error}.", traceback.format_exc())
        raise
    return app


class App:
    """The running app: its views, started the one on screen first."""

    def __init__(self) -> None:
        self.shared = Shared()
        self.views: list[object] = []
        self._rest: asyncio.Task[None] | None = None

    async def start(self) -> None:
        on_screen = view_key_from_hash(str(js.location.hash))
        first = [s for s in SECTIONS if s.key == on_screen]
        for section in first:
            self._start_section(section)
        await self._show_ready()
        self._rest = asyncio.ensure_future(self._start_the_rest(first))

    async def _start_the_rest(self, started: list[Section]) -> None:
        for section in SECTIONS:
            if section in started:
                continue
            await asyncio.sleep(0)  # lets the page answer between views
            try:
                self._start_section(section)
            except Exception as error:
                js.window.syncoxideBootError(
                    f"Part of the app could not start: {error}.", traceback.format_exc()
                )
                raise

    def _start_section(self, section: Section) -> None:
        self.views.extend(section.start(self.shared))
        view = js.document.querySelector(f'#views > section[data-view="{section.key}"]')
        if present(view):
            view.dataset.wired = "1"

    async def _show_ready(self) -> None:
        import pyodide

        runtime = current_runtime()
        boot_seconds = js.performance.now() / 1000
        element("runtime-facts").innerHTML = runtime_facts_html(
            runtime, pyodide.__version__, await storage_estimate(), boot_seconds
        )
        element("browser-checks").innerHTML = browser_checks_html(browser_checks())
        show("boot", False)
        badge = f"Python {runtime.python_version} · core {runtime.core_version}"
        element("runtime-badge").textContent = badge
        js.document.documentElement.dataset.ready = "1"
