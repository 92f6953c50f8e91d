"""The Files view's "Folders in this browser" card as HTML (pure, tested without a browser)."""

from __future__ import annotations

import time
from html import escape
from typing import Any

from syncoxide.units import format_bytes


def browser_folders_html(names: list[str]) -> str:
    """Each browser folder with Show files and Delete; the index keys the click."""
    if not names:
        return (
            '<p class="muted">No folder in this browser yet. Sync into a “Browser folder” or '
            "save received files “in this browser” to make one.</p>"
        )
    items = "".join(
        f'<li class="browser-folder" data-index="{index}"><strong>{escape(name)}</strong> '
        f'<button type="button" data-action="list" aria-label="Show files of {escape(name)}">'
        "Show files</button> "
        f'<button type="button" data-action="delete-folder" aria-label="Delete {escape(name)}">'
        "Delete</button></li>"
        for index, name in enumerate(names)
    )
    return f'<ul class="browser-folders">{items}</ul>'


def browser_files_html(index: int, name: str, files: list[dict[str, Any]]) -> str:
    """One browser folder's files, each with Open, Download and Delete."""
    if not files:
        return f'<p class="muted">“{escape(name)}” holds no files.</p>'
    rows = "".join(_file_row(index, f) for f in sorted(files, key=lambda f: str(f["path"])))
    return (
        f'<table class="files browser-files" data-index="{index}"><caption>{escape(name)}'
        "</caption><thead><tr><th>Path</th><th>Size</th><th>Modified (UTC)</th><th></th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def _file_row(index: int, file: dict[str, Any]) -> str:
    path = escape(str(file["path"]))
    modified = time.strftime("%Y-%m-%d %H:%M", time.gmtime(int(file["mtime"])))
    buttons = " ".join(
        f'<button type="button" data-action="{action}" data-index="{index}" data-path="{path}" '
        f'aria-label="{word} {path}">{word}</button>'
        for action, word in (("open", "Open"), ("download", "Download"), ("delete", "Delete"))
    )
    return (
        f'<tr><td>{path}</td><td class="num">{escape(format_bytes(int(file["size"])))}</td>'
        f"<td>{modified}</td><td>{buttons}</td></tr>"
    )
