"""HTML for Space and cleanup: where the space goes (by place, type and age) and what to clean.

The charts are tables of ``<meter>`` bars (each the row's share of the largest row), drawn
here in the page from the stats API's JSON: no chart library, no CDN, no inline style (the
page's CSP forbids it), and readable by a screen reader as the table it is. Cleanup rows carry
their place and path like every catalog row, so Delete sends a file of yours on the server to
the trash, where it can be restored.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from syncoxide.units import format_bytes
from syncoxide_web.catalog.catalog_html import entries_html

PLACE_NAMES = {"home": "Your files on this server"}


def totals(usage: list[dict[str, Any]], key: str) -> list[tuple[str, int, int]]:
    """(label, files, bytes) per ``key`` ("source" or "type"), the largest first."""
    summed: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in usage:
        summed[str(row[key])][0] += int(row["files"])
        summed[str(row[key])][1] += int(row["bytes"])
    return sorted(((k, f, b) for k, (f, b) in summed.items()), key=lambda r: (-r[2], r[0]))


def bars_html(rows: list[tuple[str, int, int]], caption: str) -> str:
    """One horizontal bar per row, its width the row's share of the largest row's bytes."""
    if not rows or not any(size for _, _, size in rows):
        return f'<p class="muted">{escape(caption)}: nothing indexed yet.</p>'
    top = max(size for _, _, size in rows) or 1
    body = "".join(
        f'<tr><th scope="row">{escape(PLACE_NAMES.get(label, label))}</th>'
        f'<td class="bar"><meter min="0" max="{top}" value="{size}"></meter></td>'
        f'<td class="num">{escape(format_bytes(size))}</td><td class="num">{files} files</td></tr>'
        for label, files, size in rows
    )
    return f'<table class="bars"><caption>{escape(caption)}</caption><tbody>{body}</tbody></table>'


def stats_html(stats: dict[str, Any]) -> str:
    usage = stats["usage"]
    ages = [(str(a["age"]), int(a["files"]), int(a["bytes"])) for a in stats.get("by_age", [])]
    return (
        bars_html(totals(usage, "source"), "By place")
        + bars_html(totals(usage, "type"), "By type")
        + bars_html(ages, "By age (last modified)")
    )


def duplicates_html(answer: dict[str, Any]) -> str:
    """Proven duplicate groups (same content hash), then guesses (same name and size)."""
    parts = []
    for group in answer["groups"]:
        each = format_bytes(int(group[0]["size"]))
        parts.append(f"<h3>Same content ({escape(each)} each)</h3>")
        parts.append(entries_html(group, ("delete",)))
    for group in answer.get("guesses", []):
        each = format_bytes(int(group[0]["size"]))
        parts.append(f"<h3>Probably the same: same name and size ({escape(each)} each)</h3>")
        parts.append(entries_html(group, ("delete",)))
    return "".join(parts) or '<p class="muted">No duplicates found.</p>'
