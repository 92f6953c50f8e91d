"""Provider-side history through the API: the versions a versioned S3 bucket (moto) keeps of a
connection's file, newest first, and restoring an old one byte for byte with every later
version kept; the index and Recent learn of the restore. The same for a Dropbox connection's
revisions (the FAKE Dropbox server). Someone else's connection, server storage, bad places and
unknown revisions are refused."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.server.accountshares.shares_world import World, shares_world
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server, s3_client

BASE = "/api/v1/catalog/provider-versions"
_buckets = itertools.count()


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    with shares_world(tmp_path / "data") as made:
        yield made


def _versioned_bucket(endpoint: str) -> str:
    """A new bucket with versioning on (the moto server lives for the whole session)."""
    bucket = f"kept-versions-{next(_buckets)}"

    async def make() -> None:
        async with s3_client(endpoint) as client:
            await client.create_bucket(Bucket=bucket)
            await client.put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
            )

    asyncio.run(make())
    return bucket


def _bob_bucket(world: World, s3: S3Server, bucket: str) -> Any:
    """Bob's connection to the versioned bucket, and its provider (used outside any loop)."""
    options = {"endpoint": s3.endpoint, "bucket": bucket, "access_key_id": ACCESS_KEY,
               "secret_access_key": SECRET_KEY, "region": "us-east-1"}  # fmt: skip
    return _bob_connection(world, "bucket", "s3", options)


def _bob_dropbox(world: World, dropbox: tuple[FakeDropbox, str]) -> Any:
    """Bob's connection to a folder of its own on the FAKE Dropbox, and its provider."""
    fake, url = dropbox
    root = fake.store.make_folder(f"/history-{next(_buckets)}").path_display
    options = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token_url":
               f"{url}/oauth2/token", "refresh_token": REFRESH_TOKEN, "api_url": url,
               "content_url": url, "root_path": root}  # fmt: skip
    return _bob_connection(world, "dbx", "dropbox", options)


def _bob_connection(world: World, name: str, kind: str, options: dict[str, str]) -> Any:
    made = world["bob"].post("/api/v1/connections", json={"name": name, "kind": kind,
                                                         "options": options})  # fmt: skip
    assert made.status_code == 201, made.text
    rules = world.app.state.rules
    connection = asyncio.run(rules.store.connection(world["bob"].user_id, made.json()["id"]))
    return rules.connections.provider(connection, "")


async def _body(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _write_and_read(provider: Any, bodies: list[bytes]) -> bytes:
    async def run() -> bytes:
        for body in bodies:
            await provider.write("notes.txt", _body(body), mtime_ns=10**18)
        read = b"".join([chunk async for chunk in provider.open_read("notes.txt")])
        await provider.aclose()
        return read

    return asyncio.run(run())


def test_versions_are_listed_and_an_old_one_is_restored(world: World, moto_s3: S3Server) -> None:
    provider = _bob_bucket(world, moto_s3, _versioned_bucket(moto_s3.endpoint))
    _write_and_read(provider, [b"first", b"second!", b"third..."])
    bob = world["bob"]
    listed = bob.get(BASE, params={"location": "bucket:notes.txt"})
    assert listed.status_code == 200, listed.text
    versions = listed.json()["versions"]
    assert [(v["size"], v["current"]) for v in versions] == [(8, True), (7, False), (5, False)]

    oldest = versions[-1]["version_id"]
    restored = bob.post(f"{BASE}/restore",
                        json={"location": "bucket:notes.txt", "version_id": oldest})  # fmt: skip
    assert restored.status_code == 200, restored.text
    assert (restored.json()["location"], restored.json()["size"]) == ("bucket:notes.txt", 5)
    assert _write_and_read(provider, []) == b"first"
    after = bob.get(BASE, params={"location": "bucket:notes.txt"}).json()["versions"]
    assert [v["size"] for v in after] == [5, 8, 7, 5]  # nothing was lost

    found = bob.get("/api/v1/catalog/search", params={"q": "notes in:bucket"}).json()["entries"]
    assert [(e["location"], e["size"]) for e in found] == [("bucket:notes.txt", 5)]
    recent = bob.get("/api/v1/catalog/recent").json()["entries"]
    assert ("bucket:notes.txt", "restored") in [(e["location"], e["action"]) for e in recent]


def test_others_server_storage_and_bad_places_are_refused(world: World, moto_s3: S3Server) -> None:
    _write_and_read(_bob_bucket(world, moto_s3, _versioned_bucket(moto_s3.endpoint)), [b"mine"])
    carol, bob = world["carol"], world["bob"]
    assert carol.get(BASE, params={"location": "bucket:notes.txt"}).status_code == 404
    taken = carol.post(f"{BASE}/restore", json={"location": "bucket:notes.txt", "version_id": "x"})
    assert taken.status_code == 404
    assert bob.get(BASE, params={"location": "home:notes.txt"}).status_code == 400
    assert bob.get(BASE, params={"location": "bucket:../notes.txt"}).status_code == 400
    assert bob.get(BASE, params={"location": "bucket:missing.txt"}).status_code == 404
    wrong = bob.post(f"{BASE}/restore", json={"location": "bucket:notes.txt", "version_id": "x"})
    assert wrong.status_code == 404
    [kept] = bob.get(BASE, params={"location": "bucket:notes.txt"}).json()["versions"]
    assert kept["current"]


def test_dropbox_revisions_are_listed_and_an_old_one_is_restored(
    world: World, fake_dropbox: tuple[FakeDropbox, str]
) -> None:
    provider = _bob_dropbox(world, fake_dropbox)
    _write_and_read(provider, [b"first", b"second!", b"third..."])
    bob = world["bob"]
    listed = bob.get(BASE, params={"location": "dbx:notes.txt"})
    assert listed.status_code == 200, listed.text
    versions = listed.json()["versions"]
    assert [(v["size"], v["current"]) for v in versions] == [(8, True), (7, False), (5, False)]

    for wrong in ("x", "0123456789abcdef"):  # malformed; well-formed but not this file's
        refused = bob.post(f"{BASE}/restore",
                           json={"location": "dbx:notes.txt", "version_id": wrong})  # fmt: skip
        assert refused.status_code == 404, refused.text
    assert len(bob.get(BASE, params={"location": "dbx:notes.txt"}).json()["versions"]) == 3

    oldest = versions[-1]["version_id"]
    restored = bob.post(f"{BASE}/restore",
                        json={"location": "dbx:notes.txt", "version_id": oldest})  # fmt: skip
    assert restored.status_code == 200, restored.text
    assert (restored.json()["location"], restored.json()["size"]) == ("dbx:notes.txt", 5)
    assert _write_and_read(provider, []) == b"first"
    after = bob.get(BASE, params={"location": "dbx:notes.txt"}).json()["versions"]
    assert [v["size"] for v in after] == [5, 8, 7, 5]  # nothing was lost
    recent = bob.get("/api/v1/catalog/recent").json()["entries"]
    assert ("dbx:notes.txt", "restored") in [(e["location"], e["action"]) for e in recent]
    assert world["carol"].get(BASE, params={"location": "dbx:notes.txt"}).status_code == 404
