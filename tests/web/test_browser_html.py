"""The Files view's browser folders card as HTML, without a browser."""

from __future__ import annotations

from syncoxide_web.files.browser_html import browser_files_html, browser_folders_html


def test_folders_are_listed_with_their_actions_and_an_empty_list_says_how_to_make_one() -> None:
    html = browser_folders_html(["documents", "<b>x</b>"])
    assert 'data-index="1"' in html and "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    assert 'aria-label="Show files of documents"' in html
    assert 'aria-label="Delete documents"' in html
    assert "Browser folder" in browser_folders_html([])


def test_files_are_sorted_by_path_with_open_download_and_delete() -> None:
    files = [
        {"path": "sub/b.txt", "size": 1500, "mtime": 0},
        {"path": 'a"q.txt', "size": 3, "mtime": 86_400},
    ]
    html = browser_files_html(2, "documents", files)
    assert html.index("a&quot;q.txt") < html.index("sub/b.txt")
    assert 'data-action="download" data-index="2" data-path="sub/b.txt"' in html
    assert "1.5 kB" in html and "1970-01-02 00:00" in html
    assert "holds no files" in browser_files_html(0, "empty", [])
