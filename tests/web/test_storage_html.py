"""The Files view's HTML for your own files and this device's folders, without a browser."""

from __future__ import annotations

from syncoxide_web.files.storage_html import (
    breadcrumbs_html,
    child_path,
    clashes,
    download_url,
    local_folders_html,
    merged_answer,
    moved_path,
    storage_rows_html,
    usage_text,
)
from syncoxide_web.sync.rules_html import files_html

ENTRIES = [
    {"path": "docs/z.txt", "kind": "file", "size": 2500, "mtime_ns": 1_700_000_000 * 10**9},
    {"path": "docs/<b>", "kind": "dir", "size": 0, "mtime_ns": 0},
    {"path": "docs/a b&c.pdf", "kind": "file", "size": 5, "mtime_ns": 0},
]


def test_paths_inside_a_folder() -> None:
    assert child_path("", "a.txt") == "a.txt"
    assert child_path("docs", "a.txt") == "docs/a.txt"
    assert child_path("docs", " album/x.jpg ") == "docs/album/x.jpg"
    assert child_path("docs", "") == "docs"


def test_a_bare_name_renames_in_place_and_a_path_moves_from_the_top() -> None:
    assert moved_path("docs/a.txt", " b.txt ") == "docs/b.txt"
    assert moved_path("a.txt", "b.txt") == "b.txt"
    assert moved_path("docs/a.txt", "/old/a.txt") == "old/a.txt"
    assert moved_path("docs/a.txt", "  ") == "docs/a.txt"  # nothing given: nothing moves


def test_an_upload_names_what_it_would_land_on() -> None:
    here = {"a.txt", "album", "z.txt"}
    assert clashes(["z.txt", "b.txt", "a.txt"], here) == ["a.txt", "z.txt"]
    assert clashes(["album/x.jpg", "album/in/y.jpg"], here) == ["album"]
    assert clashes(["new/a.txt"], here) == []


def test_a_download_link_quotes_every_reserved_character() -> None:
    assert download_url("a b/c&d?.txt") == "/api/v1/storage/content?path=a%20b%2Fc%26d%3F.txt"


def test_a_folder_lists_folders_first_with_links_sizes_and_escaped_names() -> None:
    html = storage_rows_html(ENTRIES)
    assert html.index("&lt;b&gt;/") < html.index("a b&amp;c.pdf") < html.index("z.txt")
    assert "<b>" not in html
    assert 'href="/api/v1/storage/content?path=docs%2Fa%20b%26c.pdf"' in html
    assert 'data-folder="docs/&lt;b&gt;"' in html
    assert "2.5 kB" in html and "2023-11-14 22:13" in html
    assert 'data-action="delete" data-path="docs/z.txt" data-kind="file"' in html
    assert "Only the first entries" not in html
    assert "Only the first entries" in storage_rows_html(ENTRIES, more=True)
    assert "empty" in storage_rows_html([])


def test_breadcrumbs_lead_back_to_each_parent() -> None:
    html = breadcrumbs_html("a/<b>/c")
    assert html.count("<button") == 4
    assert 'data-folder=""' in html and 'data-folder="a/&lt;b&gt;"' in html
    assert 'data-folder="a/&lt;b&gt;/c"' in html


def test_usage_with_and_without_a_quota() -> None:
    assert usage_text(1500, None) == "1.5 kB used."
    assert usage_text(0, 2_000_000) == "0 B used, 2.0 MB left."


def test_device_folders_say_when_access_must_be_allowed_again() -> None:
    html = local_folders_html([("Photos", "granted"), ("<Work>", "prompt")])
    assert html.count('data-action="allow"') == 1
    assert 'data-index="1" data-access="prompt"' in html and "&lt;Work&gt;" in html
    assert "No folder" in local_folders_html([])


def test_device_matches_join_the_servers_answer() -> None:
    server = {
        "files": [{"connection": "This server", "path": "a.txt", "size": 1, "mtime": 0}],
        "errors": [],
        "truncated": False,
    }
    local = [{"connection": "This device: Photos", "path": "b/a.txt", "size": 3, "mtime": 0}]
    refused = [{"connection": "This device: Work", "message": "Click “Allow access again”."}]
    answer = merged_answer(server, local, refused, local_truncated=True)
    assert [f["path"] for f in answer["files"]] == ["a.txt", "b/a.txt"]
    assert answer["truncated"] and answer["errors"] == refused
    html = files_html(answer)
    assert "This device: Photos" in html and "Allow access again" in html


def test_a_server_that_failed_still_shows_the_devices_matches() -> None:
    local = [{"connection": "This device: P", "path": "x", "size": 0, "mtime": 0}]
    answer = merged_answer(None, local, [], local_truncated=False, server_error="Sign in again.")
    assert answer == {
        "files": local,
        "errors": [{"connection": "Server", "message": "Sign in again."}],
        "truncated": False,
    }
