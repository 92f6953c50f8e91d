"""The Files view's search from the index: rows, the folder a match opens, and the note on
connections the index never read or read long ago."""

from __future__ import annotations

from typing import Any

from syncoxide_web.files.search_html import coverage_html, indexed_answer, status_html
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
        {"source": "home", "state": "current", "refreshed_at": 0, "stale_after_hours": 24},
        {"source": "<nas>", "state": "never", "refreshed_at": 0, "stale_after_hours": 24},
        {"source": "bucket", "state": "stale", "refreshed_at": 86_400, "stale_after_hours": 24},
        {"source": "box", "state": "current", "refreshed_at": 99, "stale_after_hours": 24},
    ]
    note = coverage_html(sources, 3 * 86_400)
    missing = note.split('class="index-coverage"')[1]
    assert "2 connections" in missing and "&lt;nas&gt;" in missing and "<nas>" not in note
    assert "bucket was last read into the index 1970-01-02 00:00 (UTC)" in missing
    assert "box" not in missing and 'data-action="refresh"' in missing
    assert "index-coverage" not in coverage_html(sources[:1] + sources[3:], 1000)


def test_each_place_says_when_it_was_indexed_whether_it_is_refreshing_and_when_it_goes_stale() -> (
    None
):
    now = 1_000_000
    sources = [
        {"source": "home", "state": "current", "refreshed_at": 0, "stale_after_hours": 24},
        {"source": "nas", "state": "current", "refreshed_at": now - 720, "stale_after_hours": 2},
        {"source": "bucket", "state": "stale", "refreshed_at": now - 3 * 3600,
         "stale_after_hours": 0.5, "refreshing": False},
        {"source": "<box>", "state": "never", "refreshed_at": 0, "stale_after_hours": 24},
        {"source": "dav", "state": "current", "refreshed_at": now - 5, "stale_after_hours": 24,
         "refreshing": True},
        {"source": "new", "state": "current", "refreshed_at": now, "stale_after_hours": 24},
    ]  # fmt: skip
    lines = status_html(sources, now).split("<li>")[1:]
    assert [line.split("</li>")[0] for line in lines] == [
        "This server: indexed as files are written",
        "nas: indexed 12 min ago <small>(stale after 2 h)</small>",
        "bucket: stale, indexed 3 h ago <small>(stale after 0.5 h)</small>",
        "&lt;box&gt;: never indexed <small>(stale after 24 h)</small>",
        "dav: refreshing… <small>(stale after 24 h)</small>",
        "new: indexed just now <small>(stale after 24 h)</small>",
    ]
    assert status_html(sources, now) in coverage_html(sources, now)
