"""The Share links view's plain parts (no browser): the API body and the owner's list."""

from __future__ import annotations

import pytest
from syncoxide_web.links.share_forms import count_text, share_body, shared_path, shares_table

from syncoxide.errors import UsageError

NOW = 1_800_000_000


def test_the_form_becomes_the_api_body() -> None:
    assert share_body(
        title=" Gig ", expires="604800", max_downloads="3", password="pw", encrypted=True
    ) == {
        "title": "Gig",
        "encrypted": True,
        "expires_in": 604800,
        "max_downloads": 3,
        "password": "pw",
    }
    assert share_body(title="", expires="", max_downloads=" ", password="", encrypted=False) == {
        "title": "",
        "encrypted": False,
    }


@pytest.mark.parametrize("bad", ["0", "-1", "two", "1.5"])
def test_a_bad_download_limit_is_refused_before_anything_is_sent(bad: str) -> None:
    with pytest.raises(UsageError, match="number of downloads"):
        share_body(title="", expires="", max_downloads=bad, password="", encrypted=False)


def test_a_file_picked_in_a_folder_keeps_its_path() -> None:
    assert shared_path("take.wav", "Gig/audio/take.wav") == "Gig/audio/take.wav"
    assert shared_path("take.wav", "") == "take.wav"


def test_the_list_escapes_titles_and_shows_state_and_counts() -> None:
    links = [
        {
            "id": "a1",
            "url": "/s/a1",
            "title": "<b>x</b>",
            "downloads": 2,
            "max_downloads": 5,
            "expires_at": None,
            "revoked_at": None,
            "encrypted": True,
        },
        {
            "id": "b2",
            "url": "/s/b2",
            "title": "",
            "downloads": 1,
            "max_downloads": None,
            "expires_at": NOW - 1,
            "revoked_at": None,
        },
        {
            "id": "c3",
            "url": "/s/c3",
            "title": "old",
            "downloads": 0,
            "max_downloads": None,
            "expires_at": None,
            "revoked_at": NOW - 5,
        },
    ]
    html = shares_table(links, NOW)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert '<td data-count="a1" data-max="5">2 of 5</td>' in html
    assert "expired" in html and "revoked" in html and "untitled" in html
    assert html.count("data-revoke=") == 1  # only the open one can still be revoked
    assert count_text(3, None) == "3"
    assert "No share links yet" in shares_table([], NOW)
