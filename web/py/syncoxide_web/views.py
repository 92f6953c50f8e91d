"""The parts of the home view only Python knows, as HTML built from plain data.

Every view's layout is static HTML the server sends (``web/views/<key>.html``); these fill in
the home view's runtime facts and browser checks once Python is running.
"""

from __future__ import annotations

from html import escape

from syncoxide.runtime import RuntimeInfo
from syncoxide.units import format_bytes
from syncoxide_web.platform.browser import BrowserCheck, StorageEstimate


def runtime_facts_html(
    runtime: RuntimeInfo,
    pyodide_version: str,
    storage: StorageEstimate | None,
    boot_seconds: float,
) -> str:
    facts = [
        ("Core", f"syncoxide {runtime.core_version}"),
        ("Python", f"{runtime.implementation} {runtime.python_version}"),
        ("Runtime", f"Pyodide {pyodide_version} in this browser"),
        ("Started in", f"{boot_seconds:.1f} s"),
    ]
    if storage is not None:
        facts.append(
            (
                "Browser storage",
                f"{format_bytes(storage.usage)} used of {format_bytes(storage.quota)} available",
            )
        )
    return "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)


def browser_checks_html(checks: list[BrowserCheck]) -> str:
    return "".join(
        f'<li data-ok="{str(c.ok).lower()}">{escape(c.label)}'
        + ("" if c.ok else f' <span class="muted">— {escape(c.consequence)}</span>')
        + "</li>"
        for c in checks
    )
