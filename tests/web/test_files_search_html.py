"""The Files view's search from the index: rows, the folder a match opens, and the note on
connections the index never read or read long ago."""

from __future__ import annotations

from typing import Any

from syncoxide_web.files.search_html import coverage_html, indexed_answer
from syncoxide_web.sync.rules_html import files_html


def _entry(source: str, path: str, kind: str = "file", **more: Any) -> dict[str, Any]:
    return {"source": source, "path": path, "kind": kind, "size": 1500,
            "mtime_ns": 86_400 * 10**9, **more}  # fmt: skip


def test_matches_show_provider_path_size_time_and_open_their_folder() -> None:
    entries = [
        _entry("home", "trip/<plan>.txt"),
        _entry("nas", "top.txt"),
        _entry("nas", "albums/2024", kind="dir", size=0, mtime_ns=0),
    ]
    answer = indexed_answer(entries, shown=200)
    assert [(f["connection"], f["folder"]) for f in answer["files"]] == [
        ("This server", "home:trip"), ("nas", "nas:"), ("nas", "nas:albums/2024")
    ]  # fmt: skip
    assert not answer["truncated"]
    html = files_html(answer)
    assert 'data-folder="home:trip"' in html and "trip/&lt;plan&gt;.txt" in html
    assert "1.5 kB" in html and "1970-01-02 00:00" in html
    folder_row = html.split("<tr>")[-1]
    assert "albums/2024/" in folder_row and "folder" in folder_row and "1970" not in folder_row


def test_a_full_page_says_there_may_be_more() -> None:
    answer = indexed_answer([_entry("home", f"f{n}") for n in range(3)], shown=3)
    assert answer["truncated"] and "narrow the search" in files_html(answer)


def test_device_rows_keep_their_times_and_open_nothing() -> None:
    row = {"connection": "This device: P", "path": "x.txt", "size": 0, "mtime": 0}
    html = files_html({"files": [row], "errors": [], "truncated": False})
    assert "data-folder" not in html and "1970" not in html  # no time given, none shown


def test_never_read_and_stale_connections_are_said_with_the_refresh_offered() -> None:
    sources = [
        {"source": "home", "state": "current", "refreshed_at": 0},
        {"source": "<nas>", "state": "never", "refreshed_at": 0},
        {"source": "bucket", "state": "stale", "refreshed_at": 86_400},
        {"source": "box", "state": "current", "refreshed_at": 99},
    ]
    note = coverage_html(sources)
    assert "2 connections" in note and "&lt;nas&gt;" in note and "<nas>" not in note
    assert "bucket was last read into the index 1970-01-02 00:00 (UTC)" in note
    assert "box" not in note and 'data-action="refresh"' in note
    assert coverage_html(sources[:1] + sources[3:]) == ""
