"""Run Python inside a page of the live app, with the same Pyodide and wheels the app uses.

The test page is served from the app's own origin by intercepting one URL in Playwright, so
nothing test-only is ever added to the server. It starts Python the way the app's pages do,
through ``startPython()`` of static/app-boot.mjs, then runs the code as top-level async Python
(``runPythonAsync``), which reports ``ok`` or a traceback through ``<body data-result>``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from playwright.sync_api import Page

from syncoxide.server.pages.shell import VendorBuild
from syncoxide.server.pages.templates import lazy_script_tags

ROOT = Path(__file__).resolve().parents[2]
RESULT_TIMEOUT_MS = 60_000
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}
_WRAPPER = """
import js, traceback
try:
{body}
    js.document.body.dataset.result = "ok"
except BaseException:
    js.document.body.dataset.result = traceback.format_exc()
"""
# Starts Python as the app does and runs the page's code; a failure to start is the result too.
_RUN = """
import { startPython } from "/static/app-boot.mjs";
try {
  const { pyodide } = await startPython(%s);
  await pyodide.runPythonAsync(document.getElementById("python-code").textContent);
} catch (error) {
  document.body.dataset.result = String((error && (error.stack || error.message)) || error);
}
"""


def python_page(build: VendorBuild, python: str, *, head: str = "") -> str:
    """A page that runs ``python`` (top-level async Python, as written) once Python started."""
    assert "</" not in python, "script text cannot contain '</'"
    settings = {
        "indexUrl": f"/vendor/{build.pyodide_path}/",
        "packages": ",".join(build.packages),
        "build": build.pyodide_path,
    }
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"{lazy_script_tags(build)}{head}"
        f'<script type="module">{_RUN % json.dumps(settings)}</script></head>'
        f'<body><script type="text/x-python" id="python-code">{python}</script></body></html>'
    )


def reporting(code: str) -> str:
    """``code`` wrapped to report ``ok`` or its traceback through ``<body data-result>``."""
    return _WRAPPER.format(body=textwrap.indent(textwrap.dedent(code), "    "))


def serve_page(page: Page, url: str, document: str) -> None:
    """Answer ``url`` with ``document`` (cross-origin isolated, as the app's pages are)."""
    page.route(
        url,
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=document, headers=ISOLATION_HEADERS
        ),
    )


def run_python_in_page(page: Page, base_url: str, code: str) -> str:
    """Run ``code`` in a fresh page of ``base_url``'s origin; return ``ok`` or the traceback."""
    build = VendorBuild.load(ROOT / "web" / "static" / "vendor")
    head = '<script src="/static/crypto-batch.js"></script>'
    url = f"{base_url}/__test__/python.html"
    serve_page(page, url, python_page(build, reporting(code), head=head))
    page.goto(url)
    page.wait_for_function(
        "document.body && document.body.dataset.result !== undefined", timeout=RESULT_TIMEOUT_MS
    )
    return str(page.evaluate("document.body.dataset.result"))
