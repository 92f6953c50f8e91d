"""HTML of the Photos view: days of thumbnails, and duplicate groups with "keep this one"."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from syncoxide.units import format_bytes

HOME = "home"


def thumbnail_url(path: str, source: str = HOME) -> str:
    url = f"/api/v1/photos/thumbnail?path={quote(path, safe='')}"
    return url if source == HOME else f"{url}&source={quote(source, safe='')}"


def _figure(photo: dict[str, Any], extra: str = "") -> str:
    path, source = photo["path"], photo["source"]
    where = "" if source == HOME else f"{escape(source)} · "
    when = photo["taken"].replace("T", " ")
    origin = "" if photo["taken_from"] == "exif" else " (file time)"
    caption = (
        f'{escape(path.rsplit("/", 1)[-1])}<br><span class="muted">{where}{escape(when)}{origin} · '
        f"{photo['width']}×{photo['height']} · {escape(format_bytes(photo['size']))}</span>"
    )
    return (
        f'<figure class="photo" data-path="{escape(path)}" data-source="{escape(source)}">'
        f'<img loading="lazy" src="{escape(thumbnail_url(path, source))}" alt="{escape(path)}"'
        f' width="160" height="120"><figcaption>{caption}{extra}</figcaption></figure>'
    )


def timeline_html(answer: dict[str, Any]) -> str:
    days = answer["days"]
    notes = []
    if answer["pending"]:
        notes.append(f"{answer['pending']} more photos are still being read; reload to see them.")
    if answer["unreadable"]:
        names = ", ".join(escape(p) for p in answer["unreadable"][:10])
        notes.append(f"Not readable as images (damaged, or a format not supported): {names}.")
    if answer.get("not_supported"):
        names = ", ".join(escape(p) for p in answer["not_supported"][:10])
        notes.append(f"Not supported here yet (HEIC and RAW): {names}.")
    for error in answer.get("errors", []):
        notes.append(f"Could not read photos from {escape(error)}")
    head = "".join(f'<p class="muted">{note}</p>' for note in notes)
    if not days:
        return head + '<p class="muted">No photos in your files or connections yet.</p>'
    return head + "".join(
        f'<h2 class="photo-day">{escape(day["date"])}</h2><div class="photo-grid">'
        + "".join(_figure(photo) for photo in day["photos"])
        + "</div>"
        for day in days
    )


def duplicates_html(answer: dict[str, Any]) -> str:
    groups = [("Same bytes", g) for g in answer["exact"]] + [
        ("Look alike", g) for g in answer["near"]
    ]
    if not groups:
        return '<p class="muted">No duplicates found.</p>'
    return "".join(_group(kind, group) for kind, group in groups)


_KEEP = '<br><button type="button" data-action="keep">Keep this one</button>'


def _group(kind: str, group: list[dict[str, Any]]) -> str:
    """A group; "Keep this one" only where every copy is in the server storage (the others go
    to its trash; a connection has no trash here, so its copies are left to the user)."""
    here = all(photo["source"] == HOME for photo in group)
    note = "" if here else '<p class="muted">Some copies are in a connection: tidy them there.</p>'
    return (
        f'<div class="photo-group" data-paths="{escape(_joined(group))}">'
        f'<h3>{escape(kind)} ({len(group)})</h3>{note}<div class="photo-grid">'
        + "".join(_figure(photo, _KEEP if here else "") for photo in group)
        + "</div></div>"
    )


def _joined(group: list[dict[str, Any]]) -> str:
    return "\n".join(photo["path"] for photo in group)
