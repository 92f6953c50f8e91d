"""Runs a bench's measuring code in a page of the live app, in headless Chromium: the same
Pyodide, wheels and origin the app uses (``tests/e2e/browser_python.py`` serves the page).

The code is top-level async Python that leaves its figures as JSON in
``document.body.dataset.timings``; the whole measurement runs in one page load.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, start_live_server
from tests.e2e import browser_python


def timings_from_page(code: str) -> Any:
    """Starts the app on a temporary data folder, runs ``code`` in a page of it and returns
    the timings it left; exits with the traceback (status 1) if the code failed."""
    browser_python.RESULT_TIMEOUT_MS = 900_000
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_live_server(Path(data_dir))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.set_default_timeout(600_000)
                result = browser_python.run_python_in_page(page, server.url, code)
                if result != "ok":
                    raise SystemExit(result)
                found = json.loads(page.evaluate("document.body.dataset.timings"))
                browser.close()
        finally:
            server.stop()
    return found
