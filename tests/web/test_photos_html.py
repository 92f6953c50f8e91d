from __future__ import annotations

from syncoxide_web.photos.photos_html import (
    device_folders_html,
    duplicates_html,
    thumbnail_url,
    timeline_html,
)


def photo(path: str, taken_from: str = "exif") -> dict[str, object]:
    return {"source": "home", "path": path, "taken": "2026-07-14T10:00:00",
            "taken_from": taken_from, "width": 1200, "height": 900, "size": 1000,
            "content_hash": "h", "phash": "0"}  # fmt: skip


def test_days_show_thumbnails_names_and_where_the_date_came_from() -> None:
    answer = {"days": [{"date": "2026-07-14", "photos": [photo("A/<b>.jpg", "file")]}],
              "folders": {}, "pending": 3, "unreadable": ["bad.jpg"],
              "not_supported": ["x.heic"]}  # fmt: skip
    html = timeline_html(answer)
    assert "2026-07-14" in html and "(file time)" in html and "1200×900" in html
    assert "&lt;b&gt;.jpg" in html and "<b>" not in html
    assert thumbnail_url("A/<b>.jpg") in html.replace("&amp;", "&")
    assert "3 more photos" in html and "bad.jpg" in html and "x.heic" in html


def test_duplicate_groups_offer_keep_this_one() -> None:
    html = duplicates_html({"exact": [[photo("a.jpg"), photo("b.jpg")]], "near": []})
    assert html.count('data-action="keep"') == 2
    assert 'data-paths="a.jpg\nb.jpg"' in html
    assert "No duplicates" in duplicates_html({"exact": [], "near": []})


def test_thumbnail_urls_quote_the_path() -> None:
    assert thumbnail_url("a b/c&d.jpg") == "/api/v1/photos/thumbnail?path=a%20b%2Fc%26d.jpg"


def test_photos_of_a_connection_name_it_and_fetch_their_thumbnail_from_it() -> None:
    nas = {**photo("Camera/x.jpg"), "source": "nas"}
    answer = {"days": [{"date": "2026-07-14", "photos": [nas]}], "folders": {}, "pending": 0,
              "unreadable": [], "not_supported": [],
              "errors": ["dav: refused its credentials"]}  # fmt: skip
    html = timeline_html(answer)
    assert thumbnail_url("Camera/x.jpg", "nas") in html.replace("&amp;", "&")
    assert thumbnail_url("Camera/x.jpg", "nas").endswith("&source=nas")
    assert "nas · " in html and "dav: refused its credentials" in html
    mixed = duplicates_html({"exact": [], "near": [[photo("a.jpg"), nas]]})
    assert 'data-action="keep"' not in mixed and "tidy them there" in mixed


def test_device_photos_carry_the_badge_their_blob_thumbnail_and_an_upload_button() -> None:
    phone = {**photo("Camera/<x>.jpg"), "source": "device:Pictures", "thumbnail": "blob:abc"}
    answer = {"days": [{"date": "2026-07-14", "photos": [phone, photo("y.jpg")]}],
              "folders": {}, "pending": 0, "unreadable": [], "not_supported": [],
              "notes": ["“Old” could not be read (<gone>)."]}  # fmt: skip
    html = timeline_html(answer)
    assert html.count("This device</span>") == 1 and "Pictures · " in html
    assert 'src="blob:abc"' in html and 'class="photo device"' in html
    assert html.count('data-action="upload"') == 1  # the server's photo is there already
    assert "&lt;gone&gt;" in html and "<gone>" not in html
    mixed = duplicates_html({"exact": [[phone, photo("y.jpg")]], "near": []})
    assert 'data-action="keep"' not in mixed and "folder of this device" in mixed


def test_device_folders_list_access_and_actions() -> None:
    html = device_folders_html([("Pictures", "granted"), ("<Old>", "prompt")])
    assert html.count('class="photo-folder"') == 2 and "&lt;Old&gt;" in html
    assert html.count('data-action="allow"') == 1 and html.count('data-action="remove"') == 2
    assert "No folder of this device" in device_folders_html([])
