"""Run Python inside a page of the live app, with the same Pyodide and wheels the app uses.

The test page is served from the app's own origin by intercepting one URL in Playwright, so
nothing test-only is ever added to the server. The code runs under PyScript as top-level
async Python and reports ``ok`` or a traceback through ``<body data-result>``.
"""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path

from playwright.sync_api import Page

from syncoxide.server.pages.shell import VendorBuild, pyscript_config
from syncoxide.server.pages.templates import lazy_script_tags

ROOT = Path(__file__).resolve().parents[2]
RESULT_TIMEOUT_MS = 60_000
_WRAPPER = """
import js, traceback
try:
{body}
    js.document.body.dataset.result = "ok"
except BaseException:
    js.document.body.dataset.result = traceback.format_exc()
"""


def run_python_in_page(page: Page, base_url: str, code: str) -> str:
    """Run ``code`` in a fresh page of ``base_url``'s origin; return ``ok`` or the traceback."""
    build = VendorBuild.load(ROOT / "web" / "static" / "vendor")
    config = html.escape(json.dumps(pyscript_config(build)), quote=True)
    body = textwrap.indent(textwrap.dedent(code), "    ")
    assert "</" not in body, "script text cannot contain '</'"
    document = (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"{lazy_script_tags(build)}"
        '<script src="/static/crypto-batch.js"></script>'
        f'<script type="module" src="/vendor/{build.pyscript_path}/core.js"></script></head>'
        f'<body><script type="py" config="{config}">{_WRAPPER.format(body=body)}'
        "</script></body></html>"
    )
    url = f"{base_url}/__test__/python.html"
    page.route(
        url,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body=document,
            headers={
                "Cross-Origin-Opener-Policy": "same-origin",
                "Cross-Origin-Embedder-Policy": "require-corp",
            },
        ),
    )
    page.goto(url)
    page.wait_for_function(
        "document.body && document.body.dataset.result !== undefined", timeout=RESULT_TIMEOUT_MS
    )
    return str(page.evaluate("document.body.dataset.result"))
