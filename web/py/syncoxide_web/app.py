"""Start the app: wire the views the server already rendered, the one on screen first.

The page is usable before this runs: the server sends every view's layout and
``web/static/app-shell.js`` switches views by the URL hash and holds any action asked for
before its view is wired, then replays it. Wiring a view imports its modules, so the view on
screen is wired first and ``data-ready`` turns "1" as soon as it works; the others follow in
the background, each marking its section ``data-wired="1"``.
"""

from __future__ import annotations

import asyncio
import importlib
import traceback
from collections.abc import Callable

import js  # type: ignore[import-not-found]

from syncoxide.runtime import current_runtime
from syncoxide_web.platform.browser import browser_checks, storage_estimate
from syncoxide_web.views import browser_checks_html, runtime_facts_html

# view -> its wiring steps ("module:function"), in the order they must run: the rules part of
# Sync listens for the Files view's connections, so it is wired before Files.
WIRING: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("vault", ("syncoxide_web.vault.view:wire_vault_view",)),
    (
        "sync",
        ("syncoxide_web.sync.view:wire_sync_view", "syncoxide_web.sync.rules_view:wire_rules_view"),
    ),
    ("files", ("syncoxide_web.files.view:wire_files_view",)),
    ("send", ("syncoxide_web.send.view:wire_send_view",)),
    ("shares", ("syncoxide_web.links.shares_view:wire_shares_view",)),
    ("requests", ("syncoxide_web.links.requests_view:wire_requests_view",)),
)
_wiring: list[asyncio.Task[None]] = []  # the views wired after ready, kept referenced


async def start() -> None:
    try:
        await _start()
    except Exception as error:
        js.window.syncoxideBootError(f"The app could not start: {error}.", traceback.format_exc())
        raise


async def _start() -> None:
    on_screen = _view_on_screen()
    keys = [key for key, _ in WIRING]
    cut = keys.index(on_screen) + 1 if on_screen in keys else 0
    for key, steps in WIRING[:cut]:  # the order holds: earlier views first, this one last
        _wire(key, steps)
    await _show_ready()
    _wiring.append(asyncio.ensure_future(_wire_rest(WIRING[cut:])))


async def _wire_rest(rest: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
    for key, steps in rest:
        await asyncio.sleep(0)  # lets the page answer between views
        try:
            _wire(key, steps)
        except Exception as error:
            js.window.syncoxideBootError(
                f"Part of the app could not start: {error}.", traceback.format_exc()
            )
            raise


def _wire(key: str, steps: tuple[str, ...]) -> None:
    for step in steps:
        module, _, name = step.partition(":")
        wire: Callable[[], None] = getattr(importlib.import_module(module), name)
        wire()
    section = js.document.querySelector(f'#views > section[data-view="{key}"]')
    if section is not None:
        section.dataset.wired = "1"


def _view_on_screen() -> str:
    return str(js.location.hash).removeprefix("#").removeprefix("/") or "home"


async def _show_ready() -> None:
    import pyodide  # type: ignore[import-not-found]

    runtime = current_runtime()
    document = js.document
    boot_seconds = js.performance.now() / 1000
    document.getElementById("runtime-facts").innerHTML = runtime_facts_html(
        runtime, pyodide.__version__, await storage_estimate(), boot_seconds
    )
    document.getElementById("browser-checks").innerHTML = browser_checks_html(browser_checks())
    document.getElementById("boot").hidden = True
    badge = document.getElementById("runtime-badge")
    badge.textContent = f"Python {runtime.python_version} · core {runtime.core_version}"
    document.documentElement.dataset.ready = "1"
