"""Start the app: render the first screen, wire the navigation, tell the page we are ready."""

from __future__ import annotations

import traceback

import js

from syncoxide.runtime import current_runtime
from syncoxide_web.platform.browser import browser_checks, storage_estimate
from syncoxide_web.platform.dom import Listeners, element, show
from syncoxide_web.views import (
    Shared,
    all_views,
    home_view,
    navigation_html,
    start_sections,
    view_key_from_hash,
)


async def start() -> App:
    app = App()
    try:
        await app.render_first_screen()
    except Exception as error:
        js.window.syncoxideBootError(
            f"The app could not build its first screen: {error}.", traceback.format_exc()
        )
        raise
    return app


class App:
    """The running app: its views and the navigation between them."""

    def __init__(self) -> None:
        self._listeners = Listeners()
        self.views: list[object] = []

    async def render_first_screen(self) -> None:
        import pyodide

        runtime = current_runtime()
        boot_seconds = js.performance.now() / 1000
        home = home_view(
            runtime, pyodide.__version__, browser_checks(), await storage_estimate(), boot_seconds
        )
        element("views").innerHTML = all_views(home)
        show("boot", False)
        show("views")
        badge = f"Python {runtime.python_version} · core {runtime.core_version}"
        element("runtime-badge").textContent = badge
        self._wire_navigation()
        self.views = start_sections(Shared())
        js.document.documentElement.dataset.ready = "1"

    def _wire_navigation(self) -> None:
        nav = element("main-nav")
        nav.innerHTML = navigation_html()
        nav.setAttribute("aria-disabled", "false")
        self._listeners.on(js.window, "hashchange", lambda _event: show_view(_hash_view()))
        show_view(_hash_view())


def _hash_view() -> str:
    return view_key_from_hash(str(js.location.hash))


def show_view(key: str) -> None:
    document = js.document
    for section in document.querySelectorAll("#views > section"):
        show(section, section.dataset.view == key)
    for link in document.querySelectorAll("#main-nav a"):
        if link.dataset.view == key:
            link.setAttribute("aria-current", "page")
        else:
            link.removeAttribute("aria-current")
