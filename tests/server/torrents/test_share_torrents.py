"""``/s/<id>.torrent`` in process: the torrent matches torf's own, and the share's rules hold."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import torf

from tests.server.links.links_world import LinksWorld, make_world, share_with, tus_upload

FOLDER = {
    "Trip/day 1/a.jpg": bytes(range(256)) * 300,
    "Trip/notes.txt": b"notes\n" * 5000,
}


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _torrent(response: Any) -> torf.Torrent:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-bittorrent"
    return torf.Torrent.read_stream(io.BytesIO(response.content))


def _downloads(world: LinksWorld, share: dict[str, Any]) -> int:
    return int(world.owner.get(f"/api/v1/shares/{share['id']}").json()["downloads"])


def _seed_path(torrent: torf.Torrent) -> str:
    return urlsplit(str(torrent.webseeds[0])).path


def test_a_folder_torrent_equals_torfs_own_from_the_same_files(
    world: LinksWorld, tmp_path: Path
) -> None:
    share = share_with(world, FOLDER)
    made = _torrent(world.stranger().get(f"/s/{share['id']}.torrent"))
    on_disk = tmp_path / "disk"
    for path, data in FOLDER.items():
        (on_disk / path).parent.mkdir(parents=True, exist_ok=True)
        (on_disk / path).write_bytes(data)
    reference = torf.Torrent(on_disk / "Trip", piece_size=made.piece_size, exclude_globs=[])
    reference.generate()
    assert made.metainfo["info"]["files"] == reference.metainfo["info"]["files"]
    assert made.infohash == reference.infohash
    assert made.trackers == [] and str(made.webseeds[0]).endswith("/")


def test_a_single_file_torrent_seeds_from_that_files_url_with_ranges(world: LinksWorld) -> None:
    data = b"0123456789" * 10_000
    share = share_with(world, {"docs/report.pdf": data})
    made = _torrent(world.stranger().get(f"/s/{share['id']}.torrent"))
    assert made.mode == "singlefile" and made.name == "report.pdf"
    seed = _seed_path(made)
    assert seed.endswith("/report.pdf")
    part = world.stranger().get(seed, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"


def test_the_torrent_counts_one_download_and_its_pieces_none(world: LinksWorld) -> None:
    share = share_with(world, FOLDER, max_downloads=1)
    recipient = world.stranger()
    made = _torrent(recipient.get(f"/s/{share['id']}.torrent"))
    base = _seed_path(made)
    for _ in range(3):
        assert (
            recipient.get(base + "Trip/notes.txt", headers={"Range": "bytes=0-9"}).status_code
            == 206
        )
    assert _downloads(world, share) == 1
    again = recipient.get(f"/s/{share['id']}.torrent")  # same browser, its ticket cookie: free
    assert again.status_code == 200 and _downloads(world, share) == 1
    other = world.stranger().get(f"/s/{share['id']}.torrent")
    assert other.status_code == 410 and "download limit" in other.text


def test_a_password_share_needs_the_password_and_the_signed_seed(world: LinksWorld) -> None:
    share = share_with(world, FOLDER, password="open sesame")
    stranger = world.stranger()
    assert stranger.get(f"/s/{share['id']}.torrent").status_code == 401
    unseeded = stranger.get(f"/s/{share['id']}/seed/v1.1800000000.AAAA.{'0' * 32}/Trip/notes.txt")
    assert unseeded.status_code == 403
    stranger.post(f"/s/{share['id']}", data={"password": "open sesame"})
    seed = _seed_path(_torrent(stranger.get(f"/s/{share['id']}.torrent")))
    # A torrent client holds no cookie: the signed address alone is what lets it in.
    assert world.stranger().get(seed + "Trip/notes.txt").content == FOLDER["Trip/notes.txt"]
    forged = seed.replace("/seed/v1.", "/seed/v1.9")
    assert world.stranger().get(forged + "Trip/notes.txt").status_code == 403


def test_expiry_and_withdrawal_end_the_web_seed(world: LinksWorld) -> None:
    share = share_with(world, FOLDER, expires_in=3600)
    seed = _seed_path(_torrent(world.stranger().get(f"/s/{share['id']}.torrent")))
    assert world.stranger().get(seed + "Trip/notes.txt").status_code == 200
    world.clock.now += 3601
    assert world.stranger().get(seed + "Trip/notes.txt").status_code == 410
    revoked = share_with(world, FOLDER)
    seed = _seed_path(_torrent(world.stranger().get(f"/s/{revoked['id']}.torrent")))
    assert world.owner.delete(f"/api/v1/shares/{revoked['id']}").status_code == 204
    assert world.stranger().get(seed + "Trip/notes.txt").status_code == 410
    assert world.stranger().get(f"/s/{revoked['id']}.torrent").status_code == 410


def test_an_old_seed_ticket_is_refused(world: LinksWorld) -> None:
    share = share_with(world, FOLDER)
    seed = _seed_path(_torrent(world.stranger().get(f"/s/{share['id']}.torrent")))
    world.clock.now += 6 * 3600
    assert world.stranger().get(seed + "Trip/notes.txt").status_code == 403


def test_bad_requests_get_clear_answers(world: LinksWorld) -> None:
    share = share_with(world, FOLDER)
    assert world.stranger().get("/s/nosuchlink.torrent").status_code == 404
    seed = _seed_path(_torrent(world.stranger().get(f"/s/{share['id']}.torrent")))
    assert world.stranger().get(seed + "Trip/nothing.txt").status_code == 404
    assert world.stranger().get(seed + "../secret").status_code in (403, 404)
    preview = world.stranger(**{"User-Agent": "Slackbot-LinkExpanding 1.0"})
    assert preview.get(f"/s/{share['id']}.torrent").status_code == 403
    head = world.stranger().head(f"/s/{share['id']}.torrent")
    assert head.status_code == 200 and _downloads(world, share) == 1
    empty = share_with(world, {})
    assert world.stranger().get(f"/s/{empty['id']}.torrent").status_code == 404


def test_the_cached_torrent_is_reused_and_rebuilt_when_the_share_grows(
    world: LinksWorld,
) -> None:
    share = share_with(world, {"Trip/a.txt": b"a" * 1000, "Trip/b.txt": b"b" * 1000})
    first = _torrent(world.stranger().get(f"/s/{share['id']}.torrent"))
    second = _torrent(world.stranger().get(f"/s/{share['id']}.torrent"))
    assert first.infohash == second.infohash
    assert first.webseeds != second.webseeds  # each recipient gets their own ticket
    added = tus_upload(
        world.owner, "/api/v1/uploads/", b"c" * 10, share=share["id"], path="Trip/c.txt"
    )
    assert added == 204
    grown = _torrent(world.stranger().get(f"/s/{share['id']}.torrent"))
    assert grown.infohash != first.infohash
    assert [str(f) for f in grown.files] == ["Trip/a.txt", "Trip/b.txt", "Trip/c.txt"]


def test_the_page_and_the_api_offer_the_torrent(world: LinksWorld) -> None:
    share = share_with(world, FOLDER)
    page = world.stranger().get(f"/s/{share['id']}")
    assert f'href="/s/{share["id"]}.torrent"' in page.text
    assert share["torrent_url"] == f"/s/{share['id']}.torrent"
    nothing = share_with(world, {})
    assert "torrent_url" not in nothing
    assert ".torrent" not in world.stranger().get(f"/s/{nothing['id']}").text
