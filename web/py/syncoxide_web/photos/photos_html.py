"""HTML of the Photos view: days of thumbnails, and duplicate groups with "keep this one".

Photos are the API's JSON shape (``photo_json``); a photo of a folder on this device has a
``source`` starting with ``device:`` and its ``thumbnail`` is a ``blob:`` URL made in the page.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from syncoxide.units import format_bytes
from syncoxide_web.files.storage_html import ACCESS_WORDS

HOME = "home"
DEVICE_PREFIX = "device:"
DEVICE_BADGE = '<span class="badge badge-device">This device</span> '


def thumbnail_url(path: str, source: str = HOME) -> str:
    url = f"/api/v1/photos/thumbnail?path={quote(path, safe='')}"
    return url if source == HOME else f"{url}&source={quote(source, safe='')}"


def on_device(photo: dict[str, Any]) -> bool:
    return str(photo["source"]).startswith(DEVICE_PREFIX)


def _where(source: str) -> str:
    if source == HOME:
        return ""
    if source.startswith(DEVICE_PREFIX):
        return f"{DEVICE_BADGE}{escape(source.removeprefix(DEVICE_PREFIX))} · "
    return f"{escape(source)} · "


def _figure(photo: dict[str, Any], extra: str = "") -> str:
    path, source = photo["path"], photo["source"]
    where = _where(source)
    thumbnail = photo.get("thumbnail") or thumbnail_url(path, source)
    when = photo["taken"].replace("T", " ")
    origin = "" if photo["taken_from"] == "exif" else " (file time)"
    caption = (
        f'{escape(path.rsplit("/", 1)[-1])}<br><span class="muted">{where}{escape(when)}{origin} · '
        f"{photo['width']}×{photo['height']} · {escape(format_bytes(photo['size']))}</span>"
    )
    return (
        f'<figure class="photo{" device" if source.startswith(DEVICE_PREFIX) else ""}"'
        f' data-path="{escape(path)}" data-source="{escape(source)}">'
        f'<img loading="lazy" src="{escape(thumbnail)}" alt="{escape(path)}"'
        f' width="160" height="120"><figcaption>{caption}{extra}</figcaption></figure>'
    )


def timeline_html(answer: dict[str, Any]) -> str:
    days = answer["days"]
    notes = [escape(note) for note in answer.get("notes", [])]
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
        return head + '<p class="muted">No photos in your files, connections or folders yet.</p>'
    return head + "".join(
        f'<h2 class="photo-day">{escape(day["date"])}</h2><div class="photo-grid">'
        + "".join(_figure(photo, _UPLOAD if on_device(photo) else "") for photo in day["photos"])
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
_UPLOAD = '<br><button type="button" data-action="upload">Upload to my files</button>'


def _group(kind: str, group: list[dict[str, Any]]) -> str:
    """A group; "Keep this one" only where every copy is in the server storage (the others go
    to its trash; a connection has no trash here, so its copies are left to the user)."""
    here = all(photo["source"] == HOME for photo in group)
    note = "" if here else f'<p class="muted">{_elsewhere(group)}</p>'
    return (
        f'<div class="photo-group" data-paths="{escape(_joined(group))}">'
        f'<h3>{escape(kind)} ({len(group)})</h3>{note}<div class="photo-grid">'
        + "".join(_figure(photo, _KEEP if here else "") for photo in group)
        + "</div></div>"
    )


def _elsewhere(group: list[dict[str, Any]]) -> str:
    if any(on_device(photo) for photo in group):
        return "Some copies are in a folder of this device: tidy them there."
    return "Some copies are in a connection: tidy them there."


def _joined(group: list[dict[str, Any]]) -> str:
    return "\n".join(photo["path"] for photo in group)


def device_folders_html(folders: list[tuple[str, str]]) -> str:
    """Each folder of this device shown in Photos (name, access state), to allow or remove."""
    if not folders:
        return '<p class="muted">No folder of this device in Photos yet.</p>'
    items = []
    for index, (name, access) in enumerate(folders):
        allow = (
            ' <button type="button" data-action="allow">Allow access again</button>'
            if access != "granted"
            else ""
        )
        items.append(
            f'<li class="photo-folder" data-index="{index}" data-access="{escape(access)}">'
            f"<strong>{escape(name)}</strong> · {escape(ACCESS_WORDS.get(access, access))}"
            f'{allow} <button type="button" data-action="remove">Remove</button></li>'
        )
    return f'<ul class="local-folders">{"".join(items)}</ul>'
