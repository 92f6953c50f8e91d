"""The global view's HTML (All files, Recent, Starred, Trash, History, Shared), browserless."""

from __future__ import annotations

from typing import Any

from syncoxide_web.catalog.catalog_html import (
    entries_html,
    folder_crumbs_html,
    found_note,
    links_html,
    place_choices,
    provider_versions_html,
    received_html,
    search_text,
    trash_html,
    versions_html,
)


def _entry(source: str, path: str, kind: str = "file", **more: Any) -> dict[str, Any]:
    return {"location": f"{source}:{path}", "source": source, "path": path, "kind": kind,
            "size": 2048, "mtime_ns": 1_700_000_000 * 10**9, **more}  # fmt: skip


def test_pickers_become_filters_of_the_search_syntax() -> None:
    assert search_text("  report ", "", "") == "report"
    assert search_text("report", "s3", "pdf") == "report in:s3 type:pdf"
    assert search_text("", "home", "") == "in:home"


def test_places_are_home_then_each_connection_and_keep_the_pick() -> None:
    html = place_choices(
        [{"name": "photos<b>", "kind": "s3"}, {"name": "mine", "kind": "home"}], "photos<b>"
    )
    assert html.index('value="home"') < html.index('value="photos&lt;b&gt;" selected')
    assert "mine" not in html  # a connection to your own files is "home" already


def test_rows_escape_names_and_offer_only_what_the_place_supports() -> None:
    html = entries_html(
        [_entry("home", "a/<img src=x>.txt"), _entry("s3", "b.txt"), _entry("home", "d", "dir")],
        ("star", "history", "delete"),
    )
    assert "<img" not in html and "&lt;img src=x&gt;.txt" in html
    rows = html.split("<tr class=")[1:]
    assert 'data-action="history"' in rows[0] and 'data-action="delete"' in rows[0]
    # a file on a connection: its provider's own versions, no trash
    assert 'data-action="history"' in rows[1] and 'data-action="delete"' not in rows[1]
    assert 'data-action="star"' in rows[1]
    assert 'data-action="open"' in rows[2] and 'data-action="history"' not in rows[2]
    assert "/api/v1/storage/content?path=a%2F%3Cimg" in rows[0]  # a home file downloads


def test_recent_rows_say_what_was_done_and_when() -> None:
    html = entries_html([_entry("home", "n.txt", action="moved", at=86_400)], ("star",))
    assert "1970-01-02 00:00 (moved here)" in html


def test_empty_lists_say_so() -> None:
    assert "Nothing yet" in entries_html([], ("star",), empty="Nothing yet.")
    assert "trash is empty" in trash_html([])
    assert "No older versions" in versions_html([])
    assert "No share links" in links_html([], "No share links yet.")


def test_trash_and_versions_carry_their_ids_and_keep_marks() -> None:
    item = {"id": 7, "path": "x/<y>", "kind": "dir", "size": 0, "kept_at": 0, "keep_forever": True}
    trash = trash_html([item])
    assert 'data-id="7"' in trash and 'data-keep="true"' in trash
    assert "x/&lt;y&gt;" in trash and "kept forever" in trash and "Stop keeping forever" in trash
    assert 'data-action="forget"' in trash
    version = versions_html([{**item, "kind": "file", "size": 5, "keep_forever": False}])
    assert "Restore this version" in version and "Keep forever" in version


def test_crumbs_and_the_found_note() -> None:
    crumbs = folder_crumbs_html("s3", "a/b")
    assert (
        'data-folder=""' in crumbs and 'data-folder="a"' in crumbs and 'data-folder="a/b"' in crumbs
    )
    assert "first 200" in found_note(200, 200) and "first" not in found_note(3, 200)


def test_links_show_their_state() -> None:
    links: list[dict[str, Any]] = [
        {"id": "x", "url": "/s/x", "title": "", "files": [{}, {}], "expires_at": None},
        {"id": "y", "url": "/s/y", "title": "Trip <3", "revoked_at": 5},
    ]
    html = links_html(links, "none")
    assert "2 files · no expiry" in html and "Trip &lt;3" in html and "revoked" in html


def test_the_linked_entry_is_marked_and_every_entry_offers_its_link() -> None:
    entries = [_entry("home", "a.txt", id=4, link="/f/4"), _entry("s3", "b", id=5, link="/f/5")]
    html = entries_html(entries, ("star",), linked=5)
    first, second = html.split("<tr class=")[1:]
    assert "data-linked" not in first and 'data-linked="1"' in second
    assert 'href="/f/4"' in first and 'href="/f/5"' in second


def test_a_received_share_names_its_owner_and_its_files_say_who_shares_them() -> None:
    share = {"id": 4, "name": "trip <b>", "owner": "alice&co", "access": "read-only",
             "location": "home:Shared/trip <b>", "last_sync_at": None}  # fmt: skip
    heading = received_html(share)
    assert "trip &lt;b&gt;" in heading and "from alice&amp;co" in heading
    assert "read-only · not synced yet" in heading
    theirs = _entry("home", "Shared/trip/a.txt", owner="alice", shared=True)
    mine = _entry("home", "mine/b.txt", owner="", shared=False)
    html = entries_html([theirs, mine], ())
    assert html.count("shared by") == 1 and "shared by alice" in html


def test_provider_versions_offer_restore_except_for_the_current_one() -> None:
    versions = [
        {"version_id": "v<3>", "size": 8, "stored_ns": 1_700_000_000 * 10**9, "current": True},
        {"version_id": "v2", "size": 5, "stored_ns": 1_600_000_000 * 10**9, "current": False},
    ]
    html = provider_versions_html(versions)
    assert 'data-version="v&lt;3&gt;"' in html and html.count("Restore this version") == 1
    assert "2023-11-14 22:13" in html
    assert "keeps no versions" in provider_versions_html([])


def test_files_on_connections_offer_history_but_not_delete() -> None:
    html = entries_html([_entry("s3", "b.txt"), _entry("s3", "d", "dir")], ("history", "delete"))
    assert html.count('data-action="history"') == 1
    assert 'data-action="delete"' not in html


def test_recent_and_starred_rows_carry_the_shared_mark_as_listings_do() -> None:
    theirs = _entry("home", "Shared/trip/a.txt", owner="bo<b>", shared=True, action="opened",
                    at=1_700_000_000)  # fmt: skip
    provider_shared = _entry("drive", "team/plan.pdf", owner="", shared=True)
    mine = _entry("home", "mine/b.txt", owner="", shared=False, action="created", at=1)
    recent = entries_html([theirs, mine], ("star", "history", "delete"))
    first, second = recent.split("<tr class=")[1:]
    assert "shared by bo&lt;b&gt;" in first and "(opened)" in first
    assert "shared" not in second.replace("data-", "")
    starred = entries_html([provider_shared], ("unstar", "history"))
    assert '<span class="muted shared-by">shared</span>' in starred
