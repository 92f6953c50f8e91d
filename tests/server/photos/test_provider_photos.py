"""The Photos view over a connection on a real WebDAV server (wsgidav): the catalog lists the
photos, the server reads each once through the provider and keeps its facts and thumbnail,
so the view and the thumbnails still answer with the server stopped; a near duplicate is found
between the server storage and the connection; a provider refusing its credentials is named;
another account sees none of it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.server.accountshares.shares_world import Person, World, shares_world
from tests.server.automation.provider_world import OwnDav, connect, own_dav
from tests.server.photos.test_photos_api import jpeg, picture


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    with shares_world(tmp_path / "data", names=("alice", "bob")) as made:
        yield made


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as server:
        yield server


def photos(person: Person) -> dict[str, Any]:
    answer = person.get("/api/v1/photos")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def refresh(person: Person) -> None:
    done = person.post("/api/v1/catalog/refresh", json={"source": "nas"})
    assert done.status_code == 200, done.text


def by_source(listed: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(d["date"], p["source"], p["path"]) for d in listed["days"] for p in d["photos"]]


def test_photos_of_a_webdav_connection_join_the_view(world: World, dav: OwnDav) -> None:
    alice, bob = world["alice"], world["bob"]
    original = picture(1)
    stored = alice.call("PUT", "/api/v1/storage/content", params={"path": "Camera/beach.jpg"},
                        content=jpeg(original, "2026:07:14 10:00:00"))  # fmt: skip
    assert stored.status_code == 200, stored.text
    phone = dav.root / "Phone"
    phone.mkdir()
    small = jpeg(original.resize((600, 450)), "2026:07:14 10:00:05", quality=60)
    (phone / "beach-small.jpg").write_bytes(small)
    (phone / "forest.jpg").write_bytes(jpeg(picture(7), "2025:01:02 08:00:00", orientation=6))
    (phone / "broken.jpg").write_bytes(jpeg(picture(4))[:200])
    (phone / "iphone.heic").write_bytes(b"\0\0\0\x18ftypheic" + b"\0" * 100)
    connect(alice, "nas", dav)
    refresh(alice)

    listed = photos(alice)
    assert by_source(listed) == [
        ("2026-07-14", "nas", "Phone/beach-small.jpg"),
        ("2026-07-14", "home", "Camera/beach.jpg"),
        ("2025-01-02", "nas", "Phone/forest.jpg"),
    ]
    assert listed["unreadable"] == ["nas:Phone/broken.jpg"]
    assert listed["not_supported"] == ["nas:Phone/iphone.heic"]
    assert listed["folders"] == {"home:Camera": 1, "nas:Phone": 2}
    assert listed["errors"] == [] and listed["pending"] == 0

    near = alice.get("/api/v1/photos/duplicates").json()["near"]
    assert [sorted((p["source"], p["path"]) for p in g) for g in near] == [
        [("home", "Camera/beach.jpg"), ("nas", "Phone/beach-small.jpg")]
    ]
    forest = {"source": "nas", "path": "Phone/forest.jpg"}
    thumb = alice.get("/api/v1/photos/thumbnail", params=forest)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 320 and image.height > image.width  # upright
    assert bob.get("/api/v1/photos/thumbnail", params=forest).status_code == 404
    assert by_source(photos(bob)) == []

    dav.stop()  # read once, kept: the view and thumbnails need the provider no more
    assert by_source(photos(alice)) == by_source(listed)
    again = alice.get("/api/v1/photos/thumbnail", params=forest)
    assert again.status_code == 200 and again.content == thumb.content


def test_a_provider_refusing_its_credentials_is_named_and_the_rest_shown(
    world: World, dav: OwnDav
) -> None:
    alice = world["alice"]
    (dav.root / "one.jpg").write_bytes(jpeg(picture(2), "2024:05:01 09:00:00"))
    connect(alice, "nas", dav)
    refresh(alice)
    assert [p for _, _, p in by_source(photos(alice))] == ["one.jpg"]
    (dav.root / "two.jpg").write_bytes(jpeg(picture(5), "2024:06:01 09:00:00"))
    refresh(alice)
    dav.restart("another-password")

    listed = photos(alice)
    assert [p for _, _, p in by_source(listed)] == ["one.jpg"]
    assert len(listed["errors"]) == 1 and listed["errors"][0].startswith("nas: ")
    refused = alice.get("/api/v1/photos/thumbnail", params={"source": "nas", "path": "two.jpg"})
    assert refused.status_code >= 400 and "nas" in refused.text


@pytest.mark.both_databases
def test_deleting_the_connection_drops_its_photos_facts_and_thumbnails(
    world: World, dav: OwnDav
) -> None:
    alice = world["alice"]
    (dav.root / "one.jpg").write_bytes(jpeg(picture(2), "2024:05:01 09:00:00"))
    made = connect(alice, "nas", dav)
    refresh(alice)
    assert [p for _, _, p in by_source(photos(alice))] == ["one.jpg"]
    blobs = world.app.state.files.blobs
    thumbnails = f"photos/u{alice.user_id}/"
    assert len(asyncio.run(blobs.keys(thumbnails))) == 1

    assert alice.call("DELETE", f"/api/v1/connections/{made['id']}").status_code == 204
    assert asyncio.run(blobs.keys(thumbnails)) == []
    connect(alice, "nas", dav)  # the same name again, the same unchanged photo
    refresh(alice)
    dav.stop()  # kept facts would still show it; dropped ones must be read, and cannot be
    listed = photos(alice)
    assert by_source(listed) == []
    assert len(listed["errors"]) == 1 and listed["errors"][0].startswith("nas: ")
