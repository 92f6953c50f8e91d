"""Request-files links in-process: strangers upload trees, limits hold, the owner collects."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.server.links.links_world import TUS, LinksWorld, make_world, metadata, tus_upload
from tests.server.shared_parts import local_blobs_only

DROP = "/api/v1/drop/"


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _request(world: LinksWorld, **options: object) -> dict[str, Any]:
    made = world.owner.post("/api/v1/requests", json={"title": "Tax papers", **options})
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def _send(world: LinksWorld, link: dict[str, Any], path: str, data: bytes) -> int:
    header = {"Syncoxide-Link": link["id"]}
    return tus_upload(world.stranger(), DROP, data, header, path=path)


def _arrivals(world: LinksWorld, link: dict[str, Any]) -> dict[str, dict[str, Any]]:
    listed = world.owner.get(f"/api/v1/requests/{link['id']}/arrivals").json()
    return {f["path"]: f for f in listed["files"]}


def test_a_tree_arrives_safely_named_and_never_overwritten(world: LinksWorld) -> None:
    link = _request(world, message="Please send last year's receipts")
    public = world.stranger().get(f"/api/v1/requests/{link['id']}").json()
    assert public["upload_url"] == f"{DROP}{link['id']}/" and public["title"] == "Tax papers"
    page = world.stranger().get(link["url"])
    assert page.status_code == 200 and "request-upload.js" in page.text
    tree = {
        "receipts/2025/jan.pdf": b"january",
        "../../etc/passwd": b"not escaping",
        "receipts/CON.txt": b"reserved name",
        "receipts/2025/jan.pdf#again": b"second january",
    }
    for path, data in tree.items():
        assert _send(world, link, path.removesuffix("#again"), data) == 204
    arrived = _arrivals(world, link)
    assert set(arrived) == {
        "receipts/2025/jan.pdf",
        "receipts/2025/jan (1).pdf",
        "etc/passwd",
        "receipts/_CON.txt",
    }
    content = world.owner.get(arrived["receipts/2025/jan (1).pdf"]["download_url"])
    assert content.content == b"second january"
    assert "attachment" in content.headers["content-disposition"]
    whole = world.owner.get(f"/api/v1/requests/{link['id']}/zip")
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert archive.read("etc/passwd") == b"not escaping"
    kinds = [e["kind"] for e in world.owner.get("/api/v1/events").json()["events"]]
    assert kinds.count("request.arrived") == 4


@pytest.mark.both_databases
def test_the_links_own_tus_url_takes_uploads_with_no_extra_header(world: LinksWorld) -> None:
    link, other = _request(world), _request(world)
    own = world.stranger().get(f"/api/v1/requests/{link['id']}").json()["upload_url"]
    assert tus_upload(world.stranger(), own, b"plain tus", path="notes.txt") == 204
    assert list(_arrivals(world, link)) == ["notes.txt"]
    assert _arrivals(world, other) == {}


def test_the_links_own_tus_url_keeps_its_uploads_to_itself(world: LinksWorld) -> None:
    link, other = _request(world), _request(world)
    stranger = world.stranger()
    own, elsewhere = f"{DROP}{link['id']}/", f"{DROP}{other['id']}/"
    mixed = {"Syncoxide-Link": other["id"]}
    assert tus_upload(stranger, own, b"x", mixed, path="a.txt") == 400
    opening = {**TUS, "Upload-Length": "1", "Upload-Metadata": metadata(path="a.txt")}
    created = stranger.post(own, headers=opening)
    upload_id = created.headers["location"].rsplit("/", 1)[-1]
    assert created.headers["location"] == f"{own}{upload_id}"
    assert stranger.head(f"{elsewhere}{upload_id}", headers=TUS).status_code == 404
    assert stranger.head(f"{DROP}no-such-link/{upload_id}", headers=TUS).status_code == 404
    assert stranger.head(f"{own}{upload_id}", headers=TUS).status_code == 200


def test_limits_refuse_before_any_byte(world: LinksWorld) -> None:
    link = _request(world, max_files=2, max_total_bytes=100, allowed_types=".pdf,image/")
    assert _send(world, link, "a.pdf", b"x" * 60) == 204
    assert _send(world, link, "big.pdf", b"x" * 41) == 413
    assert _send(world, link, "script.exe", b"x") == 415
    assert _send(world, link, "photo.png", b"x" * 10) == 204
    assert _send(world, link, "third.pdf", b"x") == 413
    assert sorted(_arrivals(world, link)) == ["a.pdf", "photo.png"]


def test_deadline_with_and_without_late_uploads(world: LinksWorld) -> None:
    strict = _request(world, deadline_in=3600)
    lenient = _request(world, deadline_in=3600, allow_late=True)
    assert _send(world, strict, "early.txt", b"on time") == 204
    world.clock.now += 3601
    assert _send(world, strict, "late.txt", b"too late") == 410
    assert world.stranger().get(strict["url"]).status_code == 410
    assert "marked late" in world.stranger().get(lenient["url"]).text
    assert _send(world, lenient, "late.txt", b"late but welcome") == 204
    assert _arrivals(world, lenient)["late.txt"]["late"] is True
    assert _arrivals(world, strict)["early.txt"]["late"] is False


def test_password_cookie_authorizes_uploads(world: LinksWorld) -> None:
    link = _request(world, password="drop it here")
    uploader = world.stranger()
    header = {"Syncoxide-Link": link["id"]}
    assert tus_upload(uploader, DROP, b"x", header, path="a.txt") == 401
    assert uploader.post(link["url"], data={"password": "wrong"}).status_code == 401
    assert uploader.post(link["url"], data={"password": "drop it here"}).status_code == 200
    assert tus_upload(uploader, DROP, b"x", header, path="a.txt") == 204


def test_uploads_of_another_link_are_not_found(world: LinksWorld) -> None:
    first, second = _request(world), _request(world)
    created = world.stranger().post(
        DROP,
        headers={
            **TUS,
            "Upload-Length": "4",
            "Syncoxide-Link": first["id"],
            "Upload-Metadata": metadata(path="a.txt"),
        },
    )
    location = created.headers["location"]
    probe = world.stranger().head(location, headers={**TUS, "Syncoxide-Link": second["id"]})
    assert probe.status_code == 404
    assert world.stranger().post(DROP, headers={**TUS, "Upload-Length": "4"}).status_code == 404


def test_revoked_request_takes_nothing_and_strangers_cannot_list(world: LinksWorld) -> None:
    link = _request(world)
    assert world.stranger().get(f"/api/v1/requests/{link['id']}/arrivals").status_code == 401
    assert world.owner.delete(f"/api/v1/requests/{link['id']}").status_code == 204
    assert _send(world, link, "a.txt", b"x") == 410


def test_a_per_user_quota_covers_shares_and_arrivals(world: LinksWorld) -> None:
    links = world.app.state.links
    links.quota = dataclasses.replace(links.quota, limit_bytes=100)
    link = _request(world)
    assert _send(world, link, "a.bin", b"x" * 80) == 204
    assert _send(world, link, "b.bin", b"x" * 30) == 413
    share = world.owner.post("/api/v1/shares", json={}).json()
    status = tus_upload(world.owner, "/api/v1/uploads/", b"y" * 21, share=share["id"], path="c")
    assert status == 413
    assert (
        tus_upload(world.owner, "/api/v1/uploads/", b"y" * 20, share=share["id"], path="c") == 204
    )


@local_blobs_only("uploads in progress are S3 multipart uploads there (test_tus_s3.py)")
def test_abandoned_uploads_are_swept_from_disk(world: LinksWorld) -> None:
    link = _request(world)
    headers = {**TUS, "Syncoxide-Link": link["id"], "Upload-Metadata": metadata(path="a")}
    world.stranger().post(DROP, headers={**headers, "Upload-Length": "10"})
    uploads = world.app.state.links.uploads.root
    assert len(list(uploads.glob("*.bin"))) == 1
    world.clock.now += 25 * 3600  # past the 24 h tus expiry and the sweep interval
    world.stranger().post(DROP, headers={**headers, "Upload-Length": "10"})
    assert len(list(uploads.glob("*.bin"))) == 1  # only the new one is left


@pytest.mark.both_databases
def test_an_upload_finished_after_a_restart_is_hashed_from_disk(world: LinksWorld) -> None:
    link = _request(world)
    data = bytes(range(256)) * 64
    stranger = world.stranger(**{"Syncoxide-Link": link["id"]})
    created = stranger.post(
        DROP,
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(path="a")},
    )
    location = created.headers["location"]
    patch = {**TUS, "Content-Type": "application/offset+octet-stream"}
    stranger.patch(location, content=data[:5000], headers={**patch, "Upload-Offset": "0"})
    world.app.state.links.uploads._digests.clear()  # what a restart forgets
    last = stranger.patch(location, content=data[5000:], headers={**patch, "Upload-Offset": "5000"})
    assert last.status_code == 204
    (arrived,) = _arrivals(world, link).values()
    assert arrived["sha256"] == hashlib.sha256(data).hexdigest()
    whole = world.owner.get(f"/api/v1/requests/{link['id']}/zip")
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert archive.read("a") == data  # zipfile checks the stored CRC-32


def test_an_arrival_is_stamped_with_the_moment_the_server_kept_it(world: LinksWorld) -> None:
    """A request-link upload carries no time of its own: each arrival, a same-size one under
    the same name included, gets the server's clock when it is committed (zip times use it)."""
    link = _request(world)
    store = world.app.state.links.store
    world.clock.now = 1_800_000_100
    assert _send(world, link, "scan.pdf", b"first") == 204
    world.clock.now = 1_800_000_200
    assert _send(world, link, "scan.pdf", b"again") == 204
    kept = {f.path: f.created_at for f in asyncio.run(store.files(link["id"]))}
    assert kept == {"scan.pdf": 1_800_000_100, "scan (1).pdf": 1_800_000_200}
