"""The Files view's search from the catalog: its entries as the view's rows, how current each
place's part of the index is (indexed when, refreshing, stale), and a note for each connection
whose part was never read or is stale.

Pure functions of the catalog API's JSON (``/catalog/search``, ``/catalog/sources``), checked
without a browser; every name is escaped.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

from syncoxide.units import counted
from syncoxide_web.sync.rules_html import moment

HOME = "home"
#: How the rows name the server's own storage (the catalog calls it ``home``).
SERVER_NAME = "This server"
REFRESH_BUTTON = '<button type="button" data-action="refresh">Refresh the index</button>'


def indexed_answer(entries: list[dict[str, Any]], *, shown: int) -> dict[str, Any]:
    """The catalog's matches as the view's answer: provider, path, size, time, and the folder
    (``PROVIDER:path``) a click on the path opens; a full page means there may be more."""
    rows = []
    for entry in entries:
        source, path = str(entry["source"]), str(entry["path"])
        is_dir = entry["kind"] == "dir"
        rows.append({
            "connection": SERVER_NAME if source == HOME else source,
            "path": path + "/" if is_dir else path,
            "size": int(entry["size"]),
            "mtime": int(entry["mtime_ns"]) // 10**9,
            "kind": str(entry["kind"]),
            "folder": f"{source}:{path if is_dir else path.rpartition('/')[0]}",
        })  # fmt: skip
    return {"files": rows, "errors": [], "truncated": len(entries) >= shown}


def coverage_html(sources: list[dict[str, Any]], now: float) -> str:
    """How current each place's part of the index is, then which connections the answer may
    miss files of, with the catalog's refresh offered."""
    return status_html(sources, now) + _missing_html(sources)


def status_html(sources: list[dict[str, Any]], now: float) -> str:
    """One line per place: indexed how long ago (and when it turns stale), refreshing, stale."""
    items = "".join(f"<li>{_state(source, now)}</li>" for source in sources)
    label = 'aria-label="How current the index is"'
    return f'<ul class="index-status" {label}>{items}</ul>'


def _state(source: dict[str, Any], now: float) -> str:
    name = str(source["source"])
    if name == HOME:
        return f"{SERVER_NAME}: indexed as files are written"
    state, at = str(source["state"]), int(source["refreshed_at"])
    if source.get("refreshing"):
        told = "refreshing…"
    elif state == "never":
        told = "never indexed"
    else:
        told = f"{'stale, ' if state == 'stale' else ''}indexed {moment(at, now)}"
    hours = float(source["stale_after_hours"])
    return f"{escape(name)}: {told} <small>(stale after {hours:g} h)</small>"


def _missing_html(sources: list[dict[str, Any]]) -> str:
    never = [str(s["source"]) for s in sources if s["state"] == "never"]
    stale = [s for s in sources if s["state"] == "stale"]
    lines = []
    if never:
        names = ", ".join(never)
        lines.append(
            f"Never read into the index: {escape(names)}. Their files are not in these results."
        )
    for source in stale:
        at = time.strftime("%Y-%m-%d %H:%M", time.gmtime(int(source["refreshed_at"])))
        lines.append(
            f"{escape(str(source['source']))} was last read into the index {at} (UTC): "
            "changes made there since are not in these results."
        )
    if not lines:
        return ""
    told = counted(len(never) + len(stale), "connection")
    items = "".join(f"<li>{line}</li>" for line in lines)
    return (
        f'<div class="index-coverage" role="note"><p>The index may miss files of {told}:'
        f"</p><ul>{items}</ul>{REFRESH_BUTTON}</div>"
    )
