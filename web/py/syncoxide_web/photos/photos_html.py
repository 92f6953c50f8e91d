"""HTML of the Photos view: days of thumbnails, and duplicate groups with "keep this one"."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from syncoxide.units import format_bytes


def thumbnail_url(path: str) -> str:
    return f"/api/v1/photos/thumbnail?path={quote(path, safe='')}"


def _figure(photo: dict[str, Any], extra: str = "") -> str:
    path = photo["path"]
    when = photo["taken"].replace("T", " ")
    origin = "" if photo["taken_from"] == "exif" else " (file time)"
    caption = (
        f'{escape(path.rsplit("/", 1)[-1])}<br><span class="muted">{escape(when)}{origin} · '
        f"{photo['width']}×{photo['height']} · {escape(format_bytes(photo['size']))}</span>"
    )
    return (
        f'<figure class="photo" data-path="{escape(path)}">'
        f'<img loading="lazy" src="{escape(thumbnail_url(path))}" alt="{escape(path)}"'
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
    head = "".join(f'<p class="muted">{note}</p>' for note in notes)
    if not days:
        return head + '<p class="muted">No photos in your files on this server yet.</p>'
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
    return "".join(
        f'<div class="photo-group" data-paths="{escape(_joined(group))}">'
        f'<h3>{escape(kind)} ({len(group)})</h3><div class="photo-grid">'
        + "".join(
            _figure(photo, '<br><button type="button" data-action="keep">Keep this one</button>')
            for photo in group
        )
        + "</div></div>"
        for kind, group in groups
    )


def _joined(group: list[dict[str, Any]]) -> str:
    return "\n".join(photo["path"] for photo in group)
