"""HTML for provider connections, server-side sync rules and the files list, from plain data.

Pure functions of the API's JSON, so they are checked without a browser; every value from the
server is escaped.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

from syncoxide.errors import UsageError
from syncoxide.units import counted, format_bytes

DETAIL_LINES = 10
STATE_WORDS = {
    "ok": "connected",
    "reconnect": "reconnect needed",
    "unreachable": "unreachable",
    "unchecked": "not checked yet",
}
STATUS_WORDS = {
    "idle": "waiting for its next run",
    "running": "running now",
    "ok": "in step",
    "partial": "some files failed",
    "failed": "failed",
    "reconnect": "reconnect needed",
    "interrupted": "interrupted",
    "held": "held by a safety stop: nothing was changed",
}
OPTION_HINTS = {
    "s3": "bucket=my-bucket\nendpoint=https://s3.example.com\naccess_key_id=...\n"
    "secret_access_key=...\nregion=us-east-1",
    "webdav": "url=https://dav.example.com/remote.php/dav/files/me\nusername=me\npassword=...",
    "sftp": "host=files.example.com\nusername=me\nport=22\nroot=/srv/files\n"
    "known_hosts_data=<its line from known_hosts>\n"
    "password=... (or paste a private key below)",
    "gdrive": "client_id=...\nclient_secret=...\n"
    "# then use the consent screen, or add refresh_token=... and Connect",
    "dropbox": "client_id=...\nclient_secret=...\n"
    "# then use the consent screen, or add refresh_token=... and Connect",
    "home": "# no settings: your own files on this server, for sync rules",
}


def parse_option_lines(text: str) -> dict[str, str]:
    """``key=value`` per line (blank lines and ``#`` comments skipped), as the CLI takes them."""
    options: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"Line {number} is not key=value.", hint="For example: bucket=photos")
        options[key.strip()] = value.strip()
    return options


#: Within this many seconds either way, a time is "just now" (clocks differ a little).
JUST_NOW_SECONDS = 5


def when(stamp: int | None, now: float | None = None) -> str:
    if stamp is None:
        return "never"
    seconds = int(stamp - (time.time() if now is None else now))
    ago = seconds < 0
    seconds = abs(seconds)
    amount = (
        f"{seconds} s"
        if seconds < 120
        else f"{seconds // 60} min"
        if seconds < 7200
        else f"{seconds // 3600} h"
    )
    return f"{amount} ago" if ago else f"in {amount}"


def moment(stamp: int | None, now: float | None = None) -> str:
    """``when``, but a moment within a few seconds either way (clocks differ) is "just now"."""
    current = time.time() if now is None else now
    if stamp is not None and abs(stamp - current) < JUST_NOW_SECONDS:
        return "just now"
    return when(stamp, now)


def every(seconds: int) -> str:
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds % size == 0:
            count = seconds // size
            return f"every {count} {unit}{'s' if count != 1 else ''}"
    return f"every {seconds} seconds"


def connections_html(connections: list[dict[str, Any]]) -> str:
    if not connections:
        return '<p class="muted">No provider connected yet.</p>'
    rows = []
    for c in connections:
        state = str(c["state"])
        note = (
            f' <span class="muted">{escape(c["state_message"])}</span>'
            if c["state_message"]
            else ""
        )
        rows.append(
            f'<li class="connection" data-connection-id="{int(c["id"])}"'
            f' data-state="{escape(state)}">'
            f"<strong>{escape(c['name'])}</strong> ({escape(c['kind'])}) · "
            f'<span class="connection-state">{escape(STATE_WORDS.get(state, state))}</span>{note} '
            '<button type="button" data-action="test">Check</button> '
            '<button type="button" data-action="delete">Delete</button></li>'
        )
    return f'<ul class="connections">{"".join(rows)}</ul>'


def connection_choices(connections: list[dict[str, Any]]) -> str:
    return "".join(
        f'<option value="{int(c["id"])}">{escape(c["name"])} ({escape(c["kind"])})</option>'
        for c in connections
    )


def _run_html(run: dict[str, Any], now: float | None) -> str:
    counts = counted(int(run["actions"]), "change")
    if run.get("failed"):
        counts += f", {run['failed']} failed"
    if run.get("conflicts"):
        counts += f", {counted(int(run['conflicts']), 'conflict')}"
    status = str(run["status"])
    return (
        f'<li class="run" data-status="{escape(status)}">{escape(when(run["started_at"], now))} · '
        f"{escape(run['trigger'])} · {escape(STATUS_WORDS.get(status, status))} · {counts} · "
        f"{escape(run['message'])}{_details_html(run.get('details') or {})}</li>"
    )


def _details_html(details: dict[str, Any]) -> str:
    """The files that failed and the conflicts bisync settled, as the run recorded them."""
    lines = [f"failed: {item['path']}: {item['error']}" for item in details.get("failures", [])] + [
        f"conflict: {item['path']}: {item['detail']}" for item in details.get("conflicts", [])
    ]
    if not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines[:DETAIL_LINES])
    more = len(lines) - DETAIL_LINES
    if more > 0:
        items += f'<li class="muted">… and {more} more</li>'
    return f'<ul class="run-details">{items}</ul>'


def rules_html(rules: list[dict[str, Any]], names: dict[int, str], now: float | None = None) -> str:
    if not rules:
        return '<p class="muted">No rule yet: the server runs nothing for you.</p>'
    items = []
    for rule in rules:
        status = str(rule["status"])
        source = f"{names.get(rule['source_id'], '?')}:{rule['source_path']}"
        dest = f"{names.get(rule['dest_id'], '?')}:{rule['dest_path']}"
        schedule = every(int(rule["interval_seconds"])) if rule["enabled"] else "paused"
        if rule["enabled"] and rule.get("on_change"):
            schedule += " and on change"
        runs = "".join(_run_html(r, now) for r in rule.get("runs", []))
        message = escape(rule["status_message"])
        toggle = "Pause" if rule["enabled"] else "Resume"
        proceed = (
            '<button type="button" data-action="proceed">Proceed</button> '
            if status == "held"
            else ""
        )
        items.append(
            f'<li class="rule" data-rule-id="{int(rule["id"])}" data-status="{escape(status)}">'
            f"<strong>{escape(rule['name'])}</strong> · {escape(source)} → {escape(dest)} · "
            f"{escape(rule['mode'])} · {escape(schedule)}<br>"
            f'<span class="rule-state">{escape(STATUS_WORDS.get(status, status))}</span> '
            f'<span class="rule-message">{message}</span> '
            f'<span class="muted">last run {escape(when(rule["last_run_at"], now))}</span><br>'
            f'{proceed}<button type="button" data-action="run">Run now</button> '
            f'<button type="button" data-action="toggle">{toggle}</button> '
            '<button type="button" data-action="delete">Delete</button>'
            f'<details><summary>Last runs</summary><ol class="runs">{runs}</ol></details></li>'
        )
    return f'<ul class="rules">{"".join(items)}</ul>'


def _found_row(found: dict[str, Any]) -> str:
    """One match; an indexed one names its folder, which its path opens."""
    path = escape(found["path"])
    if found.get("folder") is not None:
        folder = escape(found["folder"])
        path = f'<button type="button" class="link" data-folder="{folder}">{path}</button>'
    size, at, mtime = "folder", "", int(found["mtime"])  # folders keep no size or time
    if found.get("kind") != "dir":
        size = format_bytes(int(found["size"]))
    if mtime:  # 0: the provider gave no time
        at = time.strftime("%Y-%m-%d %H:%M", time.gmtime(mtime))
    return (
        f"<tr><td>{escape(found['connection'])}</td><td>{path}</td>"
        f'<td class="num">{escape(size)}</td><td>{escape(at)}</td></tr>'
    )


def files_html(answer: dict[str, Any]) -> str:
    rows = "".join(_found_row(f) for f in answer["files"])
    errors = "".join(
        f'<li class="error">{escape(e["connection"])}: {escape(e["message"])}</li>'
        for e in answer["errors"]
    )
    table = (
        '<table class="files"><thead><tr><th>Provider</th><th>Path</th><th>Size</th>'
        f"<th>Modified (UTC)</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else '<p class="muted">No files found.</p>'
    )
    more = '<p class="muted">Only the first results are shown: narrow the search.</p>'
    return table + (more if answer["truncated"] else "") + (f"<ul>{errors}</ul>" if errors else "")
