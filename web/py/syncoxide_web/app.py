"""Start the app: wire the views the server already rendered, then tell the page we are ready.

The page is usable before this runs: the server sends every view's layout and
``web/static/app-shell.js`` switches views by the URL hash and holds any action asked for
before Python is running, then replays it once ``data-ready`` is "1".
"""

from __future__ import annotations

import traceback

import js  # type: ignore[import-not-found]

from syncoxide.runtime import current_runtime
from syncoxide_web.files.view import wire_files_view
from syncoxide_web.links.requests_view import wire_requests_view
from syncoxide_web.links.shares_view import wire_shares_view
from syncoxide_web.platform.browser import browser_checks, storage_estimate
from syncoxide_web.send.view import wire_send_view
from syncoxide_web.sync.rules_view import wire_rules_view
from syncoxide_web.sync.view import wire_sync_view
from syncoxide_web.vault.view import wire_vault_view
from syncoxide_web.views import browser_checks_html, runtime_facts_html


async def start() -> None:
    try:
        await _wire_app()
    except Exception as error:
        js.window.syncoxideBootError(f"The app could not start: {error}.", traceback.format_exc())
        raise


async def _wire_app() -> None:
    import pyodide  # type: ignore[import-not-found]

    runtime = current_runtime()
    document = js.document
    wire_vault_view()
    wire_sync_view()
    wire_rules_view()
    wire_files_view()
    wire_send_view()
    wire_shares_view()
    wire_requests_view()
    boot_seconds = js.performance.now() / 1000
    document.getElementById("runtime-facts").innerHTML = runtime_facts_html(
        runtime, pyodide.__version__, await storage_estimate(), boot_seconds
    )
    document.getElementById("browser-checks").innerHTML = browser_checks_html(browser_checks())
    document.getElementById("boot").hidden = True
    badge = document.getElementById("runtime-badge")
    badge.textContent = f"Python {runtime.python_version} · core {runtime.core_version}"
    document.documentElement.dataset.ready = "1"
