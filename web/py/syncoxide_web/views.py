"""The app's views: the one list of them (``SECTIONS``), and the home page that leads to them.

Each section has its key (the ``#/key`` address), the words the home page and the navigation
show, its HTML, and how it starts once that HTML is in the page. A section not built yet has no
HTML: the page shows its purpose instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from syncoxide.runtime import RuntimeInfo
from syncoxide.units import format_bytes
from syncoxide_web.backups.view import BACKUPS_SECTION, BackupsView
from syncoxide_web.files.view import FILES_SECTION, FilesView
from syncoxide_web.links.requests_view import REQUESTS_SECTION, RequestsView
from syncoxide_web.links.shares_view import SHARES_SECTION, SharesView
from syncoxide_web.platform.browser import BrowserCheck, StorageEstimate
from syncoxide_web.platform.feed import Feed
from syncoxide_web.send.view import SEND_SECTION, SendView
from syncoxide_web.sync.rules_view import RulesView, with_server_rules
from syncoxide_web.sync.view import SYNC_SECTION, SyncView
from syncoxide_web.vault.view import VAULT_SECTION, VaultView


@dataclass(frozen=True)
class Shared:
    """What views pass to each other through the app, not through imports."""

    #: The server's connections, as the Files view last loaded them (the rules form lists them).
    connections: Feed[list[dict[str, Any]]] = field(default_factory=Feed)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    purpose: str
    html: str = ""  # empty: not in this build yet
    #: Makes the view's object(s), wired to the page (called once the HTML is in the page).
    start: Callable[[Shared], tuple[object, ...]] | None = None


SECTIONS = (
    Section(
        "files",
        "Files",
        "Your files across every provider and device in one place.",
        FILES_SECTION,
        lambda shared: (FilesView(shared.connections).start(),),
    ),
    Section(
        "sync",
        "Sync",
        "Copy, mirror, move or two-way sync between folders and providers, "
        "with every transfer verified by hash.",
        with_server_rules(SYNC_SECTION),
        lambda shared: (SyncView().start(), RulesView(shared.connections).start()),
    ),
    Section(
        "send",
        "Send",
        "Send files straight to another browser or computer, peer to peer.",
        SEND_SECTION,
        lambda _shared: (SendView().start(),),
    ),
    Section(
        "shares",
        "Share links",
        "Links anyone can download from in a browser, with expiry, "
        "download limits, passwords and optional end-to-end encryption.",
        SHARES_SECTION,
        lambda _shared: (SharesView().start(),),
    ),
    Section(
        "requests",
        "Request files",
        "Links where anyone can drop files and whole folders "
        "for you, with a deadline and an optional password.",
        REQUESTS_SECTION,
        lambda _shared: (RequestsView().start(),),
    ),
    Section(
        "vault",
        "Vault",
        "Encrypt file contents and names on this device; keys never leave it.",
        VAULT_SECTION,
        lambda _shared: (VaultView().start(),),
    ),
    Section(
        "backups",
        "Backups",
        "Encrypted, deduplicated backups with borg: your computers over SSH, your providers "
        "on a schedule, and every file restorable from here.",
        BACKUPS_SECTION,
        lambda shared: (BackupsView(shared.connections).start(),),
    ),
    Section("settings", "Settings", "Accounts, providers, devices and API tokens."),
)


def start_sections(shared: Shared) -> list[object]:
    """Start every built section, in the order listed (their HTML is in the page by now)."""
    return [view for section in SECTIONS if section.start for view in section.start(shared)]


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


def all_views(home: str) -> str:
    """The home view, then every section: its real view where one is built, else its summary."""
    return home + "".join(s.html or section_view(s) for s in SECTIONS)


def navigation_html() -> str:
    """The main navigation: home, then every section."""
    links = [("home", "Home")] + [(s.key, s.title) for s in SECTIONS]
    return "".join(
        f'<a href="#/{escape(key)}" data-view="{escape(key)}">{escape(title)}</a>'
        for key, title in links
    )


def view_key_from_hash(location_hash: str) -> str:
    key = location_hash.removeprefix("#").removeprefix("/")
    known = {"home"} | {section.key for section in SECTIONS}
    return key if key in known else "home"
