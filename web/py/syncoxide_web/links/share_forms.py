"""The Share links view's plain parts: form values to an API body, and the list of shares.

No browser here (no ``js``), so CPython tests check them directly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from html import escape
from typing import Any

from syncoxide.errors import UsageError

EXPIRY_CHOICES = (
    ("", "never"),
    ("3600", "in 1 hour"),
    ("86400", "in 1 day"),
    ("604800", "in 7 days"),
    ("2592000", "in 30 days"),
)


def expiry_options() -> str:
    return "".join(
        f'<option value="{value}"{" selected" if value == "604800" else ""}>{label}</option>'
        for value, label in EXPIRY_CHOICES
    )


def share_body(
    *, title: str, expires: str, max_downloads: str, password: str, encrypted: bool
) -> dict[str, Any]:
    """The ``POST /api/v1/shares`` body; UsageError for a value the server would refuse."""
    body: dict[str, Any] = {"title": title.strip()[:200], "encrypted": encrypted}
    if expires:
        body["expires_in"] = int(expires)
    if max_downloads.strip():
        if not max_downloads.strip().isdigit() or int(max_downloads) < 1:
            raise UsageError(
                f"'{max_downloads}' is not a number of downloads.",
                hint="Leave it empty for no limit, or give a whole number of at least 1.",
            )
        body["max_downloads"] = int(max_downloads)
    if password:
        body["password"] = password
    return body


def shared_path(name: str, relative_path: str) -> str:
    """A picked file's name in the share: its path inside a picked folder, else its name."""
    return relative_path.strip("/") or name


def count_text(downloads: int, max_downloads: int | None) -> str:
    return f"{downloads} of {max_downloads}" if max_downloads else str(downloads)


def _state(link: dict[str, Any], now: float) -> str:
    if link.get("revoked_at"):
        return "revoked"
    expires = link.get("expires_at")
    if expires and expires <= now:
        return "expired"
    return "until " + time.strftime("%Y-%m-%d %H:%M", time.gmtime(expires)) if expires else "open"


def shares_table(links: Sequence[dict[str, Any]], now: float) -> str:
    """Rows of the owner's shares, newest first, with live-updatable download counts."""
    if not links:
        return '<tr><td colspan="5" class="muted">No share links yet.</td></tr>'
    rows = []
    for link in links:
        key = escape(link["id"])
        state = _state(link, now)
        lock = " 🔒" if link.get("encrypted") else ""
        revoke = (
            f'<button type="button" data-revoke="{key}">Revoke</button>'
            if state not in ("revoked", "expired")
            else ""
        )
        rows.append(
            f'<tr data-share="{key}"><td>{escape(link.get("title") or "untitled")}{lock}</td>'
            f'<td><a href="{escape(link["url"])}" target="_blank" rel="noopener">'
            f"{escape(link['url'])}</a></td>"
            f'<td data-count="{key}" data-max="{link.get("max_downloads") or ""}">'
            f"{count_text(link.get('downloads', 0), link.get('max_downloads'))}</td>"
            f"<td>{escape(state)}</td><td>{revoke}</td></tr>"
        )
    return "".join(rows)
