"""The app's views as HTML, built from plain data so they can be checked without a browser."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from syncoxide.runtime import RuntimeInfo
from syncoxide.units import format_bytes
from syncoxide_web.platform.browser import BrowserCheck, StorageEstimate


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    purpose: str


SECTIONS = (
    Section("files", "Files", "Your files across every provider and device in one place."),
    Section(
        "sync",
        "Sync",
        "Copy, mirror, move or two-way sync between folders and providers, "
        "with every transfer verified by hash.",
    ),
    Section("send", "Send", "Send files straight to another browser or computer, peer to peer."),
    Section(
        "shares",
        "Share links",
        "Links anyone can download from in a browser, with expiry, "
        "download limits, passwords and optional end-to-end encryption.",
    ),
    Section(
        "requests",
        "Request files",
        "Links where anyone can drop files and whole folders "
        "for you, with a deadline and an optional password.",
    ),
    Section(
        "vault", "Vault", "Encrypt file contents and names on this device; keys never leave it."
    ),
    Section("settings", "Settings", "Accounts, providers, devices and API tokens."),
)


def home_view(
    runtime: RuntimeInfo,
    pyodide_version: str,
    checks: list[BrowserCheck],
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
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    check_items = "".join(
        f'<li data-ok="{str(c.ok).lower()}">{escape(c.label)}'
        + ("" if c.ok else f' <span class="muted">— {escape(c.consequence)}</span>')
        + "</li>"
        for c in checks
    )
    tools = "".join(
        f'<li><a href="#/{s.key}">{escape(s.title)}</a> '
        f'<span class="muted">{escape(s.purpose)}</span></li>'
        for s in SECTIONS
    )
    return (
        '<section data-view="home"><h1>Welcome to syncoxide</h1>'
        '<p class="muted">Python is running in this page; files you open here stay on this '
        "device unless you send, share or sync them.</p>"
        '<div class="cards">'
        f'<div class="card" id="runtime-card"><h2>This app</h2><dl class="facts">{rows}</dl></div>'
        f'<div class="card" id="browser-card"><h2>This browser</h2>'
        f'<ul class="checks">{check_items}</ul></div>'
        "</div>"
        f'<h2>What you can do</h2><ul class="tools">{tools}</ul></section>'
    )


def section_view(section: Section) -> str:
    return (
        f'<section data-view="{escape(section.key)}" hidden><h1>{escape(section.title)}</h1>'
        f"<p>{escape(section.purpose)}</p>"
        '<p class="muted">Not in this build yet.</p></section>'
    )


def all_views(home: str, built: dict[str, str] | None = None) -> str:
    """The home view, then every section: its real view where one is built, else its summary."""
    built = built or {}
    return home + "".join(built.get(s.key) or section_view(s) for s in SECTIONS)


def view_key_from_hash(location_hash: str) -> str:
    key = location_hash.removeprefix("#").removeprefix("/")
    known = {"home"} | {section.key for section in SECTIONS}
    return key if key in known else "home"
