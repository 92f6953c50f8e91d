"""The S3 blob store passes the blob port's conformance checks on rclone's and moto's S3."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from syncoxide.native.providers.s3.settings import S3Settings, create_client
from syncoxide.server.storage.conformance import BLOB_CHECKS, BlobCheck
from syncoxide.server.storage.s3 import MIN_PART, S3BlobStore
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

_fresh = itertools.count()


@pytest.fixture(params=["rclone_s3", "moto_s3"])
def s3(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(request.param)
    return server


def _settings(s3: S3Server, prefix: str) -> S3Settings:
    return S3Settings(
        bucket=s3.bucket,
        prefix=prefix,
        endpoint_url=s3.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        part_size=MIN_PART,
    )


def _store(s3: S3Server, prefix: str) -> S3BlobStore:
    return S3BlobStore(_settings(s3, prefix))


def _run(store: S3BlobStore, check: BlobCheck) -> None:
    async def body() -> None:
        try:
            await check(store)
        finally:
            await store.aclose()

    asyncio.run(body())


@pytest.mark.parametrize("check", BLOB_CHECKS, ids=lambda c: c.__name__)
def test_s3_blob_store(check: BlobCheck, s3: S3Server) -> None:
    _run(_store(s3, f"conformance-{next(_fresh)}"), check)


def test_a_long_blob_goes_up_in_parts_and_reads_back_in_ranges(s3: S3Server) -> None:
    pattern = bytes(range(251)) * 4177  # a prime-length pattern: misplaced bytes show
    blob = pattern * 11  # ~11 MiB: three parts of 5 MiB at most

    async def chunks() -> AsyncIterator[bytes]:
        for at in range(0, len(blob), 1 << 20):
            yield blob[at : at + (1 << 20)]

    async def check(store: S3BlobStore) -> None:
        assert await store.put("big/one", chunks()) == len(blob)
        assert await store.size("big/one") == len(blob)
        tail = b"".join([c async for c in store.read("big/one", start=MIN_PART - 3, length=10)])
        assert tail == blob[MIN_PART - 3 : MIN_PART + 7]
        rest = b"".join([c async for c in store.read("big/one", start=len(blob) - 5)])
        assert rest == blob[-5:]

    _run(_store(s3, f"parts-{next(_fresh)}"), check)


def test_a_cut_multipart_upload_leaves_no_parts_behind(s3: S3Server) -> None:
    async def cut_after_two_parts() -> AsyncIterator[bytes]:
        yield b"x" * (2 * MIN_PART + 1)
        raise OSError("connection cut")

    async def check(store: S3BlobStore) -> None:
        with pytest.raises(OSError, match="connection cut"):
            await store.put("cut/one", cut_after_two_parts())
        assert await store.size("cut/one") is None
        async with create_client(_settings(s3, prefix)) as client:
            pending = await client.list_multipart_uploads(Bucket=s3.bucket, Prefix=prefix)
        assert pending.get("Uploads", []) == []

    prefix = f"cut-{next(_fresh)}"
    _run(_store(s3, prefix), check)
