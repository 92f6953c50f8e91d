"""tus uploads assembled as multipart uploads in S3 (a real S3 server, moto): parts and tails
across PATCHes, a PATCH taken by another instance, refused bytes that leave nothing behind,
and a finished upload copied into its blob server-side."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

import syncoxide.server.storage.s3 as s3_module
from syncoxide.server.storage.s3 import S3BlobStore
from syncoxide.server.tus.headers import TusRequestError
from syncoxide.server.tus.s3_store import S3UploadStore
from tests.server.test_tus import S3_PART, Clock, s3_blobs
from tests.servers import S3Server

pytestmark = pytest.mark.live
MIB = 1024 * 1024


@pytest.fixture
def blobs(request: pytest.FixtureRequest) -> S3BlobStore:
    """A corner of the session's S3 server's bucket for this test alone."""
    server: S3Server = request.getfixturevalue("moto_s3")
    return s3_blobs(server)


def _data(size: int) -> bytes:
    seed = hashlib.sha256(b"tus on s3").digest()
    return (seed * (size // len(seed) + 1))[:size]


async def _body(data: bytes, chunk: int = MIB, cut: bool = False) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]
    if cut:
        raise ConnectionResetError("peer went away")


def _run(blobs: S3BlobStore, body: Callable[[], Awaitable[Any]]) -> Any:
    async def closing() -> Any:
        try:
            return await body()
        finally:
            await blobs.aclose()

    return asyncio.run(closing())


async def _read(store: S3UploadStore, upload: Any) -> bytes:
    return b"".join([chunk async for chunk in store.read(upload)])


async def _multipart_uploads(blobs: S3BlobStore) -> list[str]:
    s3 = await blobs._s3()
    listed = await s3.list_multipart_uploads(Bucket=blobs._bucket, Prefix=blobs._prefix)
    return [item["Key"] for item in listed.get("Uploads", [])]


def test_parts_and_tails_across_patches_and_instances(blobs: S3BlobStore) -> None:
    """13 MiB in PATCHes of 3 MiB that alternate between two instances (two stores on one
    bucket): parts of 5 MiB fill across PATCHes, the rest rides in the tail."""
    clock = Clock()
    one = S3UploadStore(blobs, clock, part_bytes=S3_PART)
    two = S3UploadStore(blobs, clock, part_bytes=S3_PART)
    data = _data(13 * MIB + 123)

    async def body() -> None:
        upload = await one.create(len(data), {"filename": "big.bin"}, "owner", 3600)
        offset, turn = 0, 0
        while offset < len(data):
            store = (one, two)[turn % 2]
            current = await store.get(upload.id, "owner")
            piece = data[offset : offset + 3 * MIB]
            upload = await store.append(current, offset, _body(piece), None)
            offset, turn = upload.offset, turn + 1
        assert upload.complete and await _read(one, upload) == data
        digest = await two.digests(upload)  # two saw only some PATCHes: it reads again
        assert digest.sha256.hexdigest() == hashlib.sha256(data).hexdigest()
        await one.hand_over(upload, blobs, "files/u1/big")
        got = b"".join([chunk async for chunk in blobs.read("files/u1/big", MIB)])
        assert got == data
        assert await blobs.keys("uploads/") == []  # nothing of the upload is left
        assert await _multipart_uploads(blobs) == []

    _run(blobs, body)


def test_a_cut_patch_keeps_its_whole_parts_and_its_tail(blobs: S3BlobStore) -> None:
    store = S3UploadStore(blobs, Clock(), part_bytes=S3_PART)
    data = _data(12 * MIB)

    async def body() -> None:
        upload = await store.create(len(data), {}, "owner", 3600)
        with pytest.raises(ConnectionResetError):
            await store.append(upload, 0, _body(data[: 7 * MIB], cut=True), None)
        upload = await store.get(upload.id, "owner")
        assert upload.offset == 7 * MIB  # one 5 MiB part sent, 2 MiB in the tail
        done = await store.append(upload, upload.offset, _body(data[7 * MIB :]), None)
        assert done.complete and await _read(store, done) == data

    _run(blobs, body)


def test_refused_bytes_commit_nothing_and_leave_no_stray_upload(blobs: S3BlobStore) -> None:
    """A checksum mismatch after a whole part was sent: the offset stays, the multipart
    upload that request started is aborted, and the good bytes then go through."""
    store = S3UploadStore(blobs, Clock(), part_bytes=S3_PART)
    data = _data(6 * MIB)
    wrong = ("sha1", hashlib.sha1(b"something else").digest())

    async def body() -> None:
        upload = await store.create(len(data), {}, "owner", 3600)
        with pytest.raises(TusRequestError) as refused:
            await store.append(upload, 0, _body(data), wrong)
        assert refused.value.status == 460
        assert (await store.get(upload.id, "owner")).offset == 0
        assert await _multipart_uploads(blobs) == []
        right = ("sha1", hashlib.sha1(data).digest())
        done = await store.append(upload, 0, _body(data), right)
        assert done.complete and await _read(store, done) == data
        too_long = await store.create(10, {}, "owner", 3600)
        with pytest.raises(TusRequestError) as over:
            await store.append(too_long, 0, _body(b"x" * 11), None)
        assert over.value.status == 413
        assert (await store.get(too_long.id, "owner")).offset == 0

    _run(blobs, body)


def test_expired_uploads_are_swept_with_their_parts(blobs: S3BlobStore) -> None:
    clock = Clock()
    store = S3UploadStore(blobs, clock, part_bytes=S3_PART)

    async def body() -> None:
        upload = await store.create(20 * MIB, {}, "owner", 3600)
        await store.append(upload, 0, _body(_data(6 * MIB)), None)
        assert len(await _multipart_uploads(blobs)) == 1
        clock.now += 3601
        assert await store.remove_expired() == 1
        assert await blobs.keys("uploads/") == []
        assert await _multipart_uploads(blobs) == []
        with pytest.raises(TusRequestError) as gone:
            await store.get(upload.id, "owner")
        assert gone.value.status == 404

    _run(blobs, body)


def test_a_big_upload_is_copied_into_its_blob_part_by_part(
    blobs: S3BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over S3's 5 GiB single-copy limit the copy goes part by part (UploadPartCopy); the
    limits are lowered here so a few MiB take that path."""
    monkeypatch.setattr(s3_module, "MAX_SINGLE_COPY", 1 * MIB)
    monkeypatch.setattr(s3_module, "COPY_PART", S3_PART)
    store = S3UploadStore(blobs, Clock(), part_bytes=S3_PART)
    data = _data(11 * MIB)

    async def body() -> None:
        upload = await store.create(len(data), {}, "owner", 3600)
        upload = await store.append(upload, 0, _body(data), None)
        await store.hand_over(upload, blobs, "links/l1/big")
        got = b"".join([chunk async for chunk in blobs.read("links/l1/big", MIB)])
        assert got == data

    _run(blobs, body)


def test_an_id_that_begins_with_a_dash_is_stored(
    blobs: S3BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """URL-safe ids may begin with "-", which no blob key segment may: stored all the same."""
    import syncoxide.server.tus.s3_store as s3_store_module

    monkeypatch.setattr(s3_store_module.secrets, "token_urlsafe", lambda _: "-" + "a" * 31)
    store = S3UploadStore(blobs, Clock(), part_bytes=S3_PART)

    async def body() -> None:
        upload = await store.create(3, {}, "owner", 3600)
        assert upload.id.startswith("-")
        done = await store.append(upload, 0, _body(b"abc"), None)
        assert await _read(store, done) == b"abc"

    _run(blobs, body)
