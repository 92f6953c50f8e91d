"""HTML for your own files on the server and your device's folders in the Files view.

Pure functions of plain data (the storage API's JSON, the folders' names and access states), so
they are checked without a browser; every name is escaped, since names come from anyone who
could put a file in a folder.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any
from urllib.parse import quote

from syncoxide.units import format_bytes

CONTENT = "/api/v1/storage/content?path="
DEVICE = "This device: "
ACCESS_WORDS = {
    "granted": "readable",
    "prompt": "access to confirm",
    "denied": "access refused",
}


def child_path(folder: str, name: str) -> str:
    """A name (or ``a/b`` relative path) inside ``folder``; ``""`` is the top of your files."""
    name = name.strip().strip("/")
    return f"{folder}/{name}" if folder and name else folder or name


def moved_path(path: str, wanted: str) -> str:
    """Where a rename or move puts ``path``: a bare name stays in the same folder, a name with
    ``/`` is a path from the top of your files; nothing given leaves it where it is."""
    wanted = wanted.strip()
    if not wanted:
        return path
    if "/" in wanted:
        return wanted.strip("/")
    return child_path(path.rsplit("/", 1)[0] if "/" in path else "", wanted)


def clashes(relatives: list[str], names_here: set[str]) -> list[str]:
    """The names an upload of ``relatives`` (``a.txt``, ``album/b.txt``) would land on, sorted:
    a file of the same name, or a folder the picked folder's files would go into."""
    return sorted({relative.split("/", 1)[0] for relative in relatives} & names_here)


def name_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def modified(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(int(seconds)))


def download_url(path: str) -> str:
    """The ranged download route: the browser streams it to disk with the session cookie."""
    return CONTENT + quote(path, safe="")


def breadcrumbs_html(folder: str) -> str:
    crumbs = ['<button type="button" data-folder="">Your files</button>']
    parts = folder.split("/") if folder else []
    for depth, part in enumerate(parts, start=1):
        target = "/".join(parts[:depth])
        button = f'<button type="button" data-folder="{escape(target)}">{escape(part)}</button>'
        crumbs.append(button)
    return " / ".join(crumbs)


def _row_html(entry: dict[str, Any]) -> str:
    path = str(entry["path"])
    shown = escape(name_of(path))
    actions = (
        f'<button type="button" data-action="move" data-path="{escape(path)}">Rename or move'
        "</button> "
        f'<button type="button" data-action="delete" data-path="{escape(path)}"'
        f' data-kind="{escape(str(entry["kind"]))}">Delete</button>'
    )
    mtime_ns = int(entry["mtime_ns"])
    when = escape(modified(mtime_ns / 1e9)) if mtime_ns else ""  # folders keep no time
    if entry["kind"] == "dir":
        link = f'<button type="button" class="link" data-folder="{escape(path)}">{shown}/</button>'
        size = "folder"
    else:
        link = f'<a href="{escape(download_url(path))}" download="{shown}">{shown}</a>'
        size = escape(format_bytes(int(entry["size"])))
    return (
        f'<tr class="stored" data-path="{escape(path)}"><td>{link}</td>'
        f'<td class="num">{size}</td><td>{when}</td><td>{actions}</td></tr>'
    )


def storage_rows_html(entries: list[dict[str, Any]], more: bool = False) -> str:
    """A folder's entries, its folders first, each with its download link and actions."""
    if not entries:
        return '<p class="muted">This folder is empty.</p>'
    ordered = sorted(entries, key=lambda e: (e["kind"] != "dir", str(e["path"]).casefold()))
    rows = "".join(_row_html(e) for e in ordered)
    table = (
        '<table class="files stored-files"><thead><tr><th>Name</th><th>Size</th>'
        f"<th>Modified (UTC)</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )
    note = '<p class="muted">Only the first entries of this folder are shown.</p>' if more else ""
    return table + note


def usage_text(used: int, room: int | None) -> str:
    if room is None:
        return f"{format_bytes(used)} used."
    return f"{format_bytes(used)} used, {format_bytes(room)} left."


def local_folders_html(folders: list[tuple[str, str]]) -> str:
    """Each remembered folder (name, access state) with what can be done with it."""
    if not folders:
        return '<p class="muted">No folder of this device added yet.</p>'
    items = []
    for index, (name, access) in enumerate(folders):
        allow = (
            ' <button type="button" data-action="allow">Allow access again</button>'
            if access != "granted"
            else ""
        )
        items.append(
            f'<li class="local-folder" data-index="{index}" data-access="{escape(access)}">'
            f"<strong>{escape(name)}</strong> · "
            f'<span class="local-access">{escape(ACCESS_WORDS.get(access, access))}</span>{allow} '
            '<button type="button" data-action="list">Show files</button> '
            '<button type="button" data-action="remove">Remove</button></li>'
        )
    return f'<ul class="local-folders">{"".join(items)}</ul>'


def merged_answer(
    server: dict[str, Any] | None,
    local_files: list[dict[str, Any]],
    local_errors: list[dict[str, str]],
    *,
    local_truncated: bool,
    server_error: str | None = None,
) -> dict[str, Any]:
    """The server's search answer and this device's matches as one answer for ``files_html``."""
    files = list(server["files"]) if server else []
    errors = list(server["errors"]) if server else []
    if server_error:
        errors.append({"connection": "Server", "message": server_error})
    return {
        "files": files + local_files,
        "errors": errors + local_errors,
        "truncated": bool(server and server["truncated"]) or local_truncated,
    }
