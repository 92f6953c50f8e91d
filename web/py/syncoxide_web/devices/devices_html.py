"""HTML of the Devices view, from the trust report ``syncoxide devices list --json`` prints
(``syncoxide.devices.report.ledger_report``): this device, then who it trusts and through whom,
who is suggested, who is revoked, and every signed statement (the trust graph)."""

from __future__ import annotations

import time
from html import escape
from typing import Any


def device_names(report: dict[str, Any]) -> dict[str, str]:
    """Device ID -> name, for every device the report mentions."""
    known = [report["device"], *report["trusted"], *report["suggested"], *report["revoked"]]
    return {entry["device_id"]: entry["name"] for entry in known}


def _who(names: dict[str, str], device: str) -> str:
    name = names.get(device)
    label = f"{escape(name)} " if name else ""
    return f'{label}<code class="device-id">{escape(device)}</code>'


def this_device_html(report: dict[str, Any] | None) -> str:
    if report is None:
        return ('<p class="muted">This browser is not a device yet. Pairing it with a code makes '
                "its key pair, kept in this browser's storage.</p>")  # fmt: skip
    me = report["device"]
    name = f'<strong id="paired-own-name">{escape(me["name"])}</strong>'
    code = f'<code class="device-id" id="paired-own-id">{escape(me["device_id"])}</code>'
    return f"<p>This browser: {name} {code}</p>"


def trusted_html(report: dict[str, Any] | None, meetings: dict[str, Any]) -> str:
    if report is None or not report["trusted"]:
        return '<p class="muted">No trusted devices yet: pair one with a code.</p>'
    names = device_names(report)
    rows = "".join(
        f'<tr data-device="{escape(entry["device_id"])}"><td>{escape(entry["name"])}</td>'
        f'<td><code class="device-id">{escape(entry["device_id"])}</code></td>'
        f"<td>{_introduced(names, entry['introduced_by'])}</td>"
        f"<td>{_state(report, entry['device_id'], meetings)}</td>"
        f'<td><button type="button" data-action="revoke" aria-label="Revoke '
        f'{escape(entry["name"])}">Revoke</button></td></tr>'
        for entry in report["trusted"]
    )
    head = ("<thead><tr><th>Device</th><th>Device ID</th><th>Introduced by</th>"
            "<th>State</th><th></th></tr></thead>")  # fmt: skip
    return f'<table class="files" id="paired-trusted-table">{head}<tbody>{rows}</tbody></table>'


def _state(report: dict[str, Any], device: str, meetings: dict[str, Any]) -> str:
    """Since when this device trusts it (its own signed record), and whether the two have a
    meeting room of their own (made while pairing directly, or given by the server)."""
    me = report["device"]["device_id"]
    since = [r["issued_at"] for r in report["records"]
             if r["signer"] == me and r["subject"] == device and r["kind"] == "pair"]  # fmt: skip
    day = time.strftime("%Y-%m-%d", time.gmtime(max(since))) if since else "?"
    room = "meeting room kept" if device in meetings else "no meeting room yet"
    return f"trusted since {day}, {room}"


def _introduced(names: dict[str, str], introducer: str | None) -> str:
    return _who(names, introducer) if introducer else "paired directly"


def suggested_html(report: dict[str, Any] | None) -> str:
    if report is None or not report["suggested"]:
        return ""
    names = device_names(report)
    items = "".join(
        f'<li data-device="{escape(entry["device_id"])}">'
        f"{', '.join(_who(names, by) for by in entry['suggested_by'])} suggests adding "
        f"{_who(names, entry['device_id'])} "
        f'<button type="button" data-action="trust">Trust {escape(entry["name"])}</button></li>'
        for entry in report["suggested"]
    )
    return f"<h3>Suggested</h3><ul>{items}</ul>"


def revoked_html(report: dict[str, Any] | None) -> str:
    if report is None or not report["revoked"]:
        return ""
    items = "".join(
        f"<li>{_who({}, entry['device_id'])} {escape(entry['name'])}</li>"
        for entry in report["revoked"]
    )
    return f"<h3>Revoked</h3><ul>{items}</ul>"


def graph_html(report: dict[str, Any] | None) -> str:
    """Every statement, oldest first: who said what about whom (and through whom)."""
    if report is None or not report["records"]:
        return '<p class="muted">No trust records yet.</p>'
    names = device_names(report)
    verbs = {"pair": "trusts", "introduce": "introduces", "revoke": "revoked"}
    lines = []
    for record in sorted(report["records"], key=lambda r: r["issued_at"]):
        via = f" (introduced by {_who(names, record['via'])})" if record["via"] else ""
        verb = verbs.get(record["kind"], escape(record["kind"]))
        lines.append(f"<li>{_who(names, record['signer'])} {verb} "
                     f"{_who(names, record['subject'])}{via}</li>")  # fmt: skip
    return f'<ol id="paired-graph-list">{"".join(lines)}</ol>'


def sync_peer_options(report: dict[str, Any] | None) -> str:
    """The trusted devices, as options: each is met in the room kept while pairing with it, or
    in the pair's device room for a device trusted through an introduction."""
    if report is None:
        return ""
    return "".join(
        f'<option value="{escape(entry["device_id"])}">{escape(entry["name"])} '
        f"({escape(entry['device_id'])})</option>"
        for entry in report["trusted"]
    )


def shared_folders_html(
    folders: dict[str, dict[str, Any]],
    names: dict[str, str],
    states: dict[str, tuple[str, bool]],
    waiting_for_access: set[str] | frozenset[str] = frozenset(),
) -> str:
    """Each shared folder: where it is kept (a browser folder or a folder picked on this
    computer, with "Allow access" while the browser has not granted it), the devices it syncs
    with, and their state."""
    if not folders:
        return '<p class="muted">No folder is synced with a device yet.</p>'
    rows = []
    for name, config in sorted(folders.items()):
        peers = "".join(
            f"<li>{_who(names, peer)}: {_state_text(states.get(peer))}</li>"
            for peer in config.get("with", [])
        )
        trouble = states.get(name)
        note = f" {_state_text(trouble)}" if trouble and trouble[0] else ""
        allow = (
            ' <button type="button" data-action="allow">Allow access</button>'
            if name in waiting_for_access
            else ""
        )
        rows.append(
            f'<tr data-folder="{escape(name)}"><td>{escape(name)}</td>'
            f"<td>{_place(config)}{note}{allow}</td>"
            f"<td><ul>{peers}</ul></td></tr>"
        )
    head = "<thead><tr><th>Folder</th><th>Kept in</th><th>Devices</th></tr></thead>"
    return (
        f'<table class="files" id="device-sync-table">{head}<tbody>{"".join(rows)}</tbody></table>'
    )


def _place(config: dict[str, Any]) -> str:
    if "picked_folder" in config:
        return f"on this computer: {escape(str(config['picked_folder']))}"
    return f"browser folder {escape(str(config.get('browser_folder', '')))}"


def _state_text(state: tuple[str, bool] | None) -> str:
    if state is None:
        return "starting"
    text, failed = state
    return f'<span class="error">{escape(text)}</span>' if failed else escape(text)
