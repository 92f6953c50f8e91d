"""Share links in-process: upload, the recipient page, ranged downloads, zips and limits."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from syncoxide.units import format_bytes
from tests.server.links.links_world import LinksWorld, make_world, share_with, tus_upload

FILES = {
    "photos/a.jpg": os.urandom(70_000),
    "photos/deep/b.bin": os.urandom(1234),
    "notes.txt": b"hello from the share\n",
}
PREVIEW_AGENT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _file(share: dict[str, Any], path: str) -> dict[str, Any]:
    return next(f for f in share["files"] if f["path"] == path)


def test_recipient_sees_names_and_downloads_each_file_and_the_zip(world: LinksWorld) -> None:
    share = share_with(world, FILES)
    recipient = world.stranger()
    page = recipient.get(share["url"])
    assert page.status_code == 200
    assert "photos/deep/b.bin" in page.text and "Holiday" in page.text
    total = format_bytes(sum(len(data) for data in FILES.values()))
    assert f'<p id="share-total">{len(FILES)} files, {total} in all</p>' in page.text
    assert "'unsafe-eval'" not in page.headers["content-security-policy"]
    for path, data in FILES.items():
        got = recipient.get(_file(share, path)["download_url"])
        assert got.content == data
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["content-type"] == "application/octet-stream"
    whole = recipient.get(share["zip_url"])
    assert int(whole.headers["content-length"]) == len(whole.content)
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert archive.testzip() is None
        assert {n: archive.read(n) for n in archive.namelist()} == FILES


def test_a_file_and_a_zip_resume_from_any_byte(world: LinksWorld) -> None:
    share = share_with(world, FILES)
    recipient = world.stranger()
    url = _file(share, "photos/a.jpg")["download_url"]
    part = recipient.get(url, headers={"Range": "bytes=1000-"})
    assert part.status_code == 206
    assert part.content == FILES["photos/a.jpg"][1000:]
    assert part.headers["content-range"] == f"bytes 1000-69999/{70_000}"
    whole = recipient.get(share["zip_url"]).content
    for start, end in ((0, 99), (31, 40_000), (len(whole) - 50, len(whole) - 1)):
        piece = recipient.get(share["zip_url"], headers={"Range": f"bytes={start}-{end}"})
        assert piece.status_code == 206
        assert piece.content == whole[start : end + 1]
    tail = recipient.get(share["zip_url"], headers={"Range": "bytes=-10"})
    assert tail.content == whole[-10:]
    stale = recipient.get(share["zip_url"], headers={"Range": "bytes=5-", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.content == whole
    beyond = recipient.get(url, headers={"Range": "bytes=99999999-"})
    assert beyond.status_code == 416


def test_previews_heads_and_page_views_never_count(world: LinksWorld) -> None:
    share = share_with(world, {"one.txt": b"only once"}, max_downloads=1)
    url = _file(share, "one.txt")["download_url"]
    bot = world.stranger(**{"User-Agent": PREVIEW_AGENT})
    assert bot.get(share["url"]).status_code == 200
    assert bot.get(url).status_code == 403
    person = world.stranger()
    for _ in range(3):
        assert person.get(share["url"]).status_code == 200
        assert person.head(url).status_code == 200
    assert world.owner.get(share["url"].replace("/s/", "/api/v1/shares/")).json()["downloads"] == 0
    assert person.get(url).content == b"only once"
    events = world.owner.get("/api/v1/events").json()["events"]
    assert [e["kind"] for e in events] == ["share.downloaded"]
    resumed = person.get(url, headers={"Range": "bytes=5-"})
    assert resumed.status_code == 206 and resumed.content == b"once"
    again = person.get(url)
    assert again.status_code == 410 and "download limit" in again.text
    stranger = world.stranger()  # no resume ticket: a range of a used-up link is not a resume
    taken = stranger.get(url, headers={"Range": "bytes=1-"})
    assert taken.status_code == 410 and "download limit" in taken.text


def test_password_protected_share(world: LinksWorld) -> None:
    share = share_with(world, {"secret.txt": b"s3cret"}, password="open sesame")
    url = _file(share, "secret.txt")["download_url"]
    recipient = world.stranger()
    assert 'type="password"' in recipient.get(share["url"]).text
    assert recipient.get(url).status_code == 401
    wrong = recipient.post(share["url"], data={"password": "nope"}, follow_redirects=False)
    assert wrong.status_code == 401 and "not right" in wrong.text
    right = recipient.post(share["url"], data={"password": "open sesame"}, follow_redirects=False)
    assert right.status_code == 303
    assert recipient.get(url).content == b"s3cret"
    api = world.stranger().get(share["url"].replace("/s/", "/api/v1/shares/"))
    assert api.status_code == 401 and api.json()["error"] == "password_required"
    with_header = world.stranger().get(
        share["url"].replace("/s/", "/api/v1/shares/"),
        headers={"X-Link-Password": "open sesame"},
    )
    assert with_header.status_code == 200


def test_password_attempts_are_rate_limited_per_link(world: LinksWorld) -> None:
    share = share_with(world, {"x": b"x"}, password="right one")
    statuses = [
        world.stranger().post(share["url"], data={"password": f"guess {n}"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_expired_and_revoked_links_are_gone(world: LinksWorld) -> None:
    expiring = share_with(world, {"a": b"a"}, expires_in=3600)
    revoked = share_with(world, {"b": b"b"})
    world.clock.now += 3601
    page = world.stranger().get(expiring["url"])
    assert page.status_code == 410 and "expired" in page.text
    assert world.owner.delete(f"/api/v1/shares/{revoked['id']}").status_code == 204
    gone = world.stranger().get(_file(revoked, "b")["download_url"])
    assert gone.status_code == 410 and "withdrew" in gone.text
    assert world.stranger().get("/s/not-a-real-id").status_code == 404


def test_owner_uploads_need_a_share_of_their_own(world: LinksWorld) -> None:
    assert (
        world.stranger().post("/api/v1/uploads/", headers={"Upload-Length": "1"}).status_code == 401
    )
    status = tus_upload(world.owner, "/api/v1/uploads/", b"data", share="someone-else", path="x")
    assert status == 404
    listed = world.owner.get("/api/v1/shares").json()["links"]
    assert listed == []


def test_openapi_lists_the_link_operations(world: LinksWorld) -> None:
    paths = world.stranger().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/shares", "/api/v1/shares/{link_id}", "/api/v1/requests/{link_id}"} <= set(
        paths
    )
    arrival = paths["/api/v1/requests/{link_id}/arrivals/{file_id}"]["get"]
    assert [p["name"] for p in arrival["parameters"]] == ["link_id", "file_id"]


def test_one_folder_of_a_share_as_its_own_zip(world: LinksWorld) -> None:
    share = share_with(world, FILES)
    folder = world.stranger().get(share["zip_url"] + "?folder=photos/deep")
    assert folder.headers["content-disposition"].startswith('attachment; filename="deep.zip"')
    with zipfile.ZipFile(io.BytesIO(folder.content)) as archive:
        assert archive.namelist() == ["photos/deep/b.bin"]
    assert world.stranger().get(share["zip_url"] + "?folder=nothing").status_code == 404
