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

_listeners = Listeners()


async def start() -> None:
    try:
        await _render_first_screen()
    except Exception as error:
        js.window.syncoxideBootError(
            f"The app could not build its first screen: {error}.", traceback.format_exc()
        )
        raise


async def _render_first_screen() -> None:
    import pyodide

    runtime = current_runtime()
    boot_seconds = js.performance.now() / 1000
    home = home_view(
        runtime, pyodide.__version__, browser_checks(), await storage_estimate(), boot_seconds
    )
    element("views").innerHTML = all_views(home)
    show("boot", False)
    show("views")
    element(
        "runtime-badge"
    ).textContent = f"Python {runtime.python_version} · core {runtime.core_version}"
    _wire_navigation()
    start_sections(Shared())
    js.document.documentElement.dataset.ready = "1"


def _wire_navigation() -> None:
    nav = element("main-nav")
    nav.innerHTML = navigation_html()
    nav.setAttribute("aria-disabled", "false")
    _listeners.on(
        js.window, "hashchange", lambda _event: show_view(view_key_from_hash(js.location.hash))
    )
    show_view(view_key_from_hash(js.location.hash))


def show_view(key: str) -> None:
    document = js.document
    for section in document.querySelectorAll("#views > section"):
        show(section, section.dataset.view == key)
    for link in document.querySelectorAll("#main-nav a"):
        if link.dataset.view == key:
            link.setAttribute("aria-current", "page")
        else:
            link.removeAttribute("aria-current")
