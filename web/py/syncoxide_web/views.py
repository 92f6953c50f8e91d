"""The app's views: the one list of them (``SECTIONS``), and how each one starts.

Each view's layout is HTML the server sends in the app shell
(``syncoxide/server/pages/templates/views/<key>.html``), so the page is usable before Python
runs. A section's ``start`` makes its view object(s) and wires them to that HTML; it imports
the view's modules only when called, so the app can start the view on screen first without
paying for every other view's imports (``app.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from syncoxide.runtime import RuntimeInfo
from syncoxide.units import format_bytes
from syncoxide_web.platform.browser import BrowserCheck, StorageEstimate
from syncoxide_web.platform.feed import Feed


@dataclass(frozen=True)
class Shared:
    """What views pass to each other through the app, not through imports."""

    #: The server's connections, as the Files view last loaded them (the rules form lists them).
    connections: Feed[list[dict[str, Any]]] = field(default_factory=Feed)
    #: The path of the file (yours, on the server) whose versions the History view shows.
    history: Feed[str] = field(default_factory=Feed)


Start = Callable[[Shared], tuple[object, ...]]


# Imports inside these on purpose: a view's modules load when it starts, not at boot.
def _files(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.files.view import FilesView

    return (FilesView(shared.connections).start(),)


def _all_files(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.catalog.all_files_view import AllFilesView

    return (AllFilesView(shared.connections, shared.history).start(),)


def _recent(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.catalog.marked_view import RECENT, MarkedView

    return (MarkedView(RECENT, shared.history).start(),)


def _starred(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.catalog.marked_view import STARRED, MarkedView

    return (MarkedView(STARRED, shared.history).start(),)


def _shared(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.catalog.shared_view import SharedView

    return (SharedView(shared.history).start(),)


def _trash(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.catalog.trash_view import TrashView

    return (TrashView().start(),)


def _space(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.catalog.space_view import SpaceView

    return (SpaceView(shared.history).start(),)


def _history(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.catalog.history_view import HistoryView

    return (HistoryView(shared.history).start(),)


def _sync(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.sync.rules_view import RulesView
    from syncoxide_web.sync.view import SyncView

    return (SyncView().start(), RulesView(shared.connections).start())


def _send(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.send.view import SendView

    return (SendView().start(),)


def _shares(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.links.account_shares_view import AccountSharesView
    from syncoxide_web.links.shares_view import SharesView

    return (SharesView().start(), AccountSharesView().start())


def _requests(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.links.requests_view import RequestsView

    return (RequestsView().start(),)


def _vault(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.vault.view import VaultView

    return (VaultView().start(),)


def _backups(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.backups.view import BackupsView

    return (BackupsView(shared.connections).start(),)


def _settings(shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.settings.view import SettingsView

    return (SettingsView(shared.connections).start(),)


def _photos(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.photos.view import PhotosView

    return (PhotosView().start(),)


def _automation(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.automation.view import AutomationView

    return (AutomationView().start(),)


def _devices(_shared: Shared) -> tuple[object, ...]:
    from syncoxide_web.devices.view import DevicesView

    return (DevicesView().start(),)


@dataclass(frozen=True)
class Section:
    key: str
    start: Start


SECTIONS = (
    Section("files", _files),
    Section("all", _all_files),
    Section("recent", _recent),
    Section("starred", _starred),
    Section("shared", _shared),
    Section("trash", _trash),
    Section("space", _space),
    Section("photos", _photos),
    Section("history", _history),
    Section("sync", _sync),
    Section("send", _send),
    Section("shares", _shares),
    Section("requests", _requests),
    Section("vault", _vault),
    Section("backups", _backups),
    Section("automation", _automation),
    Section("devices", _devices),
    Section("settings", _settings),
)


def runtime_facts_html(
    runtime: RuntimeInfo,
    pyodide_version: str,
    storage: StorageEstimate | None,
    boot_seconds: float,
) -> str:
    """The home view's "This app" facts, once Python is running."""
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
    """The home view's "This browser" checks."""
    return "".join(
        f'<li data-ok="{str(c.ok).lower()}">{escape(c.label)}'
        + ("" if c.ok else f' <span class="muted">— {escape(c.consequence)}</span>')
        + "</li>"
        for c in checks
    )


def view_key_from_hash(location_hash: str) -> str:
    key = location_hash.removeprefix("#").removeprefix("/")
    known = {"home"} | {section.key for section in SECTIONS}
    return key if key in known else "home"
