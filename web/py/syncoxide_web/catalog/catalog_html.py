"""HTML for the global view: indexed files, the trash, a file's versions, and your links.

Pure functions of the catalog API's JSON, checked without a browser. Every name is escaped:
names come from anyone who could put a file in a folder a user reaches.
Rows carry what their buttons act on (``data-location``, ``data-path``, ``data-id``) so one
click handler per list serves every row.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

from syncoxide.units import counted, format_bytes
from syncoxide_web.files.storage_html import download_url

HOME = "home"
#: The type filter's choices, as the index groups MIME types (``syncoxide.catalog.model``).
TYPE_CHOICES = ("image", "video", "audio", "text", "pdf", "archive", "document")
ACTION_WORDS = {
    "created": "created",
    "changed": "changed",
    "opened": "opened",
    "downloaded": "downloaded",
    "moved": "moved here",
    "restored": "restored",
}


def when(nanoseconds_or_seconds: int, *, seconds: bool = False) -> str:
    value = nanoseconds_or_seconds if seconds else nanoseconds_or_seconds // 10**9
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(value)) if value else ""


def search_text(words: str, place: str, kind: str) -> str:
    """What the search box, the place and the type pickers ask, in the search syntax.

    The picked place and type are quoted filters the server parses, never text to match."""
    parts = [words.strip()]
    if place:
        parts.append(f"in:{place}")
    if kind:
        parts.append(f"type:{kind}")
    return " ".join(part for part in parts if part)


def place_choices(connections: list[dict[str, Any]], picked: str = "") -> str:
    """Every place the index covers: your files here, then each connection by name."""
    names = [HOME] + [str(c["name"]) for c in connections if c.get("kind") != HOME]
    options = ['<option value="">Every place</option>']
    for name in names:
        shown = "Your files on this server" if name == HOME else name
        chosen = " selected" if name == picked else ""
        options.append(f'<option value="{escape(name)}"{chosen}>{escape(shown)}</option>')
    return "".join(options)


def type_choices() -> str:
    options = ['<option value="">Any type</option>']
    options += [f'<option value="{kind}">{kind}</option>' for kind in TYPE_CHOICES]
    return "".join(options)


def _entry_actions(entry: dict[str, Any], actions: tuple[str, ...]) -> str:
    at_home = entry["source"] == HOME
    buttons = []
    for action in actions:
        if action == "delete" and not at_home:
            continue  # the trash keeps your files on this server only
        if action == "history" and entry["kind"] != "file":
            continue
        label = {"star": "Star", "unstar": "Unstar", "history": "History", "delete": "Delete"}
        buttons.append(f'<button type="button" data-action="{action}">{label[action]}</button>')
    return " ".join(buttons)


def _link_anchor(entry: dict[str, Any]) -> str:
    """The entry's stable link (it survives renames), to copy and keep."""
    link = str(entry.get("link") or "")
    title = "A link to this that keeps working after a rename or move"
    return f' <a class="file-link" href="{escape(link)}" title="{title}">Link</a>' if link else ""


def _entry_name(entry: dict[str, Any]) -> str:
    path = str(entry["path"])
    shown = escape(path.rsplit("/", 1)[-1])
    if entry["kind"] == "dir":
        return f'<button type="button" class="link" data-action="open">{shown}/</button>'
    if entry["source"] == HOME:
        return f'<a href="{escape(download_url(path))}" download="{shown}">{shown}</a>'
    return shown


def _shared_mark(entry: dict[str, Any]) -> str:
    """Whether it is shared, and who shares it with you when it is another account's: the
    same mark in folder listings, search, Recent and Starred."""
    if not entry.get("shared"):
        return ""
    owner = str(entry.get("owner") or "")
    said = f"shared by {escape(owner)}" if owner else "shared"
    return f' <span class="muted shared-by">{said}</span>'


def entries_html(
    entries: list[dict[str, Any]],
    actions: tuple[str, ...],
    *,
    empty: str = "Nothing here.",
    linked: int = 0,
) -> str:
    """A table of index entries: name, where it is, size, modified, and ``actions`` buttons;
    the entry a ``/f/<id>`` link opened (``linked``) is marked."""
    if not entries:
        return f'<p class="muted">{escape(empty)}</p>'
    rows = []
    for entry in entries:
        location = escape(str(entry["location"]))
        size = "folder" if entry["kind"] == "dir" else escape(format_bytes(int(entry["size"])))
        done = ACTION_WORDS.get(str(entry.get("action", "")), "")
        stamp = when(int(entry["at"]), seconds=True) if done else when(int(entry["mtime_ns"]))
        note = f" ({done})" if done else ""
        mark = ' data-linked="1"' if linked and entry.get("id") == linked else ""
        rows.append(
            f'<tr class="catalog-entry" data-location="{location}"'
            f' data-source="{escape(str(entry["source"]))}"'
            f' data-path="{escape(str(entry["path"]))}"'
            f' data-kind="{escape(str(entry["kind"]))}"{mark}>'
            f"<td>{_entry_name(entry)}</td><td>{location}{_shared_mark(entry)}</td>"
            f'<td class="num">{size}</td>'
            f"<td>{escape(stamp)}{escape(note)}</td><td>{_entry_actions(entry, actions)}"
            f"{_link_anchor(entry)}</td></tr>"
        )
    return (
        '<table class="files catalog-entries"><thead><tr><th>Name</th><th>Where</th>'
        "<th>Size</th><th>When (UTC)</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def found_note(count: int, shown: int) -> str:
    more = f" (the first {shown}: add words or filters to narrow it)" if count >= shown else ""
    return f'<p class="muted found">{count} found{more}.</p>'


def folder_crumbs_html(place: str, folder: str) -> str:
    """Where the browsed listing is: the place, then each folder above; each one opens."""
    top = "Your files on this server" if place == HOME else place
    crumbs = [f'<button type="button" data-folder="">{escape(top)}</button>']
    parts = folder.split("/") if folder else []
    for depth, part in enumerate(parts, start=1):
        target = escape("/".join(parts[:depth]))
        crumbs.append(f'<button type="button" data-folder="{target}">{escape(part)}</button>')
    return " / ".join(crumbs)


def _kept_item_row(item: dict[str, Any], actions: str) -> str:
    size = "folder" if item["kind"] == "dir" else escape(format_bytes(int(item["size"])))
    forever = " · kept forever" if item["keep_forever"] else ""
    return (
        f'<tr class="kept-item" data-id="{int(item["id"])}"'
        f' data-keep="{str(bool(item["keep_forever"])).lower()}">'
        f'<td>{escape(str(item["path"]))}</td><td class="num">{size}</td>'
        f"<td>{escape(when(int(item['kept_at']), seconds=True))}{forever}</td>"
        f"<td>{actions}</td></tr>"
    )


def provider_versions_html(versions: list[dict[str, Any]]) -> str:
    """Versions a provider keeps of a file itself, newest first; the current one marked."""
    if not versions:
        return '<p class="muted">The provider keeps no versions of this file.</p>'
    rows = []
    for version in versions:
        size = escape(format_bytes(int(version["size"])))
        stored = escape(when(int(version["stored_ns"])))
        action = (
            "current"
            if version["current"]
            else '<button type="button" data-action="restore">Restore this version</button>'
        )
        rows.append(
            f'<tr class="provider-version" data-version="{escape(str(version["version_id"]))}">'
            f'<td class="num">{size}</td><td>{stored}</td><td>{action}</td></tr>'
        )
    return (
        '<table class="files provider-versions"><thead><tr><th>Size</th>'
        f"<th>Stored at (UTC)</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _keep_button(item: dict[str, Any]) -> str:
    word = "Stop keeping forever" if item["keep_forever"] else "Keep forever"
    return f'<button type="button" data-action="keep">{word}</button>'


def trash_html(items: list[dict[str, Any]]) -> str:
    """What was deleted from your files here, newest first, each to restore or delete for good."""
    if not items:
        return '<p class="muted">The trash is empty.</p>'
    rows = "".join(
        _kept_item_row(
            item,
            '<button type="button" data-action="restore">Restore</button> '
            '<button type="button" data-action="forget">Delete forever</button> '
            + _keep_button(item),
        )
        for item in items
    )
    return (
        '<table class="files trash-items"><thead><tr><th>Deleted</th><th>Size</th>'
        f"<th>Deleted at (UTC)</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def versions_html(items: list[dict[str, Any]]) -> str:
    """A file's older versions, newest first (the current one is the file itself)."""
    if not items:
        return '<p class="muted">No older versions of this file are kept.</p>'
    rows = "".join(
        _kept_item_row(
            item,
            '<button type="button" data-action="restore">Restore this version</button> '
            + _keep_button(item),
        )
        for item in items
    )
    return (
        '<table class="files versions"><thead><tr><th>File</th><th>Size</th>'
        f"<th>Replaced at (UTC)</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _link_row(link: dict[str, Any]) -> str:
    if link.get("revoked_at"):
        state = "revoked"
    elif link.get("expires_at"):
        state = "until " + when(int(link["expires_at"]), seconds=True)
    else:
        state = "no expiry"
    files = link.get("files") or []
    what = counted(len(files), "file") if files else ""
    title = escape(str(link.get("title") or link["url"]))
    return (
        f'<li class="shared-link" data-id="{escape(str(link["id"]))}">'
        f'<a href="{escape(str(link["url"]))}">{title}</a>'
        f' <span class="muted">{escape(" · ".join(p for p in (what, state) if p))}</span></li>'
    )


def received_html(share: dict[str, Any]) -> str:
    """One share another account gave you: its name, from whom, how, where your copy is."""
    synced = share.get("last_sync_at")
    state = "synced " + when(int(synced), seconds=True) if synced else "not synced yet"
    facts = " · ".join((str(share["access"]), state))
    return (
        f'<h3 class="received" data-id="{escape(str(share["id"]))}">{escape(str(share["name"]))}'
        f' <span class="muted">from {escape(str(share["owner"]))}, in'
        f" {escape(str(share['location']))} · {escape(facts)}</span></h3>"
    )


def links_html(links: list[dict[str, Any]], empty: str) -> str:
    if not links:
        return f'<p class="muted">{escape(empty)}</p>'
    return f'<ul class="shared-links">{"".join(_link_row(link) for link in links)}</ul>'
