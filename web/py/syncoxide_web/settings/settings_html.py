"""The Settings view's lists as HTML, from the API's JSON (pure, tested without a browser)."""

from __future__ import annotations

from html import escape
from typing import Any

from syncoxide_web.sync.rules_html import when


def devices_html(tokens: list[dict[str, Any]], now: float) -> str:
    """The devices and tokens still able to sign in, newest first, each with Revoke."""
    live = [t for t in tokens if t["revoked_at"] is None and not _expired(t, now)]
    if not live:
        return (
            '<p class="muted">No device or token is signed in. Run <code>syncoxide login</code> '
            "on a computer to add one.</p>"
        )
    rows = "".join(_device_row(t, now) for t in sorted(live, key=lambda t: -int(t["created_at"])))
    return (
        '<table class="devices"><thead><tr><th>Name</th><th>Starts with</th><th>Last used</th>'
        f"<th>Expires</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _device_row(token: dict[str, Any], now: float) -> str:
    label = escape(str(token["label"]) or "(no name)")
    expires = "never" if token["expires_at"] is None else when(int(token["expires_at"]), now)
    return (
        f"<tr><td>{label}</td><td><code>{escape(str(token['prefix']))}…</code></td>"
        f"<td>{escape(when(token['last_used_at'], now))}</td><td>{escape(expires)}</td>"
        f'<td><button type="button" data-revoke="{int(token["id"])}" '
        f'aria-label="Revoke {label}">Revoke</button></td></tr>'
    )


def _expired(token: dict[str, Any], now: float) -> bool:
    return token["expires_at"] is not None and int(token["expires_at"]) <= now


def connections_html(connections: list[dict[str, Any]]) -> str:
    """Each provider connection: its name, kind and whether it last worked."""
    if not connections:
        return '<p class="muted">No provider connected yet.</p>'
    items = "".join(
        f'<li><strong>{escape(str(c["name"]))}</strong> <span class="muted">'
        f"{escape(str(c['kind']))} · {escape(_state(c))}</span></li>"
        for c in sorted(connections, key=lambda c: str(c["name"]).casefold())
    )
    return f'<ul class="connections">{items}</ul>'


def _state(connection: dict[str, Any]) -> str:
    message = str(connection.get("state_message") or "")
    state = str(connection["state"])
    return f"{state}: {message}" if message else state


def staleness_html(answer: dict[str, Any]) -> str:
    """Hours after which each connection's part of the index counts as stale: one field for
    every connection, one per connection; an empty field takes the setting above it."""
    server, every = answer["server_hours"], answer["every_connection_hours"]
    rows = [_hours_field("", "Every connection", every, server)]
    fallback = server if every is None else every
    rows += [
        _hours_field(str(c["source"]), str(c["source"]), c["hours"], fallback)
        for c in answer["connections"]
    ]
    return f'<p class="muted">The server\'s default: {server:g} h.</p>' + "".join(rows)


def _hours_field(source: str, label: str, hours: float | None, fallback: float) -> str:
    value = "" if hours is None else f"{hours:g}"
    return (
        f'<p><label>{escape(label)} <input type="number" min="0.0167" max="8784" '
        f'step="any" data-source="{escape(source)}" data-was="{value}" value="{value}" '
        f'placeholder="{fallback:g}"> hours</label></p>'
    )
