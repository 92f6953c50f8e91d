"""The lean ListObjectsV2 page: the same objects, keys and LastModified as botocore's listing,
page by page, on rclone serve s3 and moto; anything but a listing is a LookupError."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from syncoxide.errors import SyncoxideError
from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.s3.lean import HeadSigner
from syncoxide.native.providers.s3.lean_list import (
    PageAsk,
    lean_list_page,
    listed_time,
    parse_list_page,
)
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from tests.native.providers.s3.test_provider_s3 import _settings, _stream
from tests.servers import S3Server

# Spaces, '+', '%', '&', '<' and non-ASCII: what URL encoding and XML escaping must carry.
ODD_NAMES = ("a b+c%20d.txt", "x&y<z>.txt", "ünï/é ü.txt", "plain/one.txt", "plain/two.txt")


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_s3")
    return server


async def _lean_pages(settings: S3Settings, prefix: str, max_keys: int) -> list[list[Any]]:
    assert settings.endpoint_url and settings.access_key_id and settings.secret_access_key
    signer = HeadSigner(
        settings.endpoint_url, settings.region, settings.access_key_id, settings.secret_access_key
    )
    pages: list[list[Any]] = []
    token = ""
    async with HttpPool(settings.endpoint_url, limit=8, timeouts=(10, 60)) as session:
        while True:
            ask = PageAsk(prefix, token=token)
            page = await lean_list_page(session, signer, settings.bucket, ask, max_keys=max_keys)
            pages.append(
                [
                    (o.key, o.size, o.etag, datetime.fromisoformat(o.last_modified))
                    for o in page.contents
                ]
            )
            if not page.next_token:
                return pages
            token = page.next_token


def test_lean_pages_hold_what_botocore_lists(s3_server: S3Server) -> None:
    settings = _settings(s3_server)
    prefix = settings.prefix + "/"

    async def run() -> None:
        async with S3Provider(settings) as provider:
            for number, name in enumerate(ODD_NAMES):
                await provider.write(name, _stream(b"x" * (number + 1), 2), mtime_ns=10**18)
            client = await provider._s3()
            reply = await client.list_objects_v2(Bucket=settings.bucket, Prefix=prefix)
        expected = [(o["Key"], o["Size"], o["ETag"], o["LastModified"]) for o in reply["Contents"]]
        pages = await _lean_pages(settings, prefix, max_keys=2)
        assert [len(page) for page in pages] == [2, 2, 1]
        assert [item for page in pages for item in page] == expected
        assert {key[len(prefix) :] for key, *_ in expected} >= set(ODD_NAMES)

    asyncio.run(run())


def test_the_provider_lists_odd_names_through_the_lean_page(rclone_s3: S3Server) -> None:
    settings = _settings(rclone_s3)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            for name in ODD_NAMES:
                await provider.write(name, _stream(b"data", 4), mtime_ns=3 * 10**18)
        async with S3Provider(settings) as fresh:  # no memory: every file HEADed by its key
            listed = {e.path: e for page in [p async for p in fresh.list_tree()] for e in page}
        assert {p for p, e in listed.items() if e.size == 4} == set(ODD_NAMES)
        assert {e.mtime_ns for e in listed.values() if e.size == 4} == {3 * 10**18}

    asyncio.run(run())


def test_wrong_credentials_are_a_lookup_error_then_botocore_says_why(rclone_s3: S3Server) -> None:
    settings = _settings(rclone_s3, secret_access_key="not-the-secret-key-0000")

    async def run() -> None:
        with pytest.raises(LookupError):
            await _lean_pages(settings, "", max_keys=10)
        async with S3Provider(settings) as provider:
            with pytest.raises(SyncoxideError):
                [page async for page in provider.list_tree()]

    asyncio.run(run())


@pytest.mark.parametrize(
    "body",
    [
        b"not xml at all",
        b"<Error><Code>SlowDown</Code></Error>",
        b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<IsTruncated>true</IsTruncated></ListBucketResult>",
        b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Contents>'
        b"<Key>k</Key><Size>big</Size><ETag>e</ETag>"
        b"<LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>",
    ],
)
def test_what_is_not_a_readable_listing_is_a_lookup_error(body: bytes) -> None:
    with pytest.raises(LookupError):
        parse_list_page(body)


def test_a_page_reads_each_field_wherever_it_sits_and_decodes_only_encoded_keys() -> None:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
        b"<NextContinuationToken>next+1</NextContinuationToken>"
        b"<Contents><Size>7</Size><Owner><ID>me</ID></Owner><Key>a%20b+c.txt</Key>"
        b"<LastModified>2026-12-06T13:37:00.250Z</LastModified><ETag>&quot;e1&quot;</ETag>"
        b"</Contents><Contents><Key>plain/x.txt</Key><Size>0</Size>"
        b"<LastModified>2026-12-06T13:37:01.000Z</LastModified></Contents>"
        b"<CommonPrefixes><Prefix>sub%2Fdir/</Prefix></CommonPrefixes></ListBucketResult>"
    )
    page = parse_list_page(body)
    assert [tuple(o) for o in page.contents] == [
        ("a b c.txt", 7, '"e1"', "2026-12-06T13:37:00.250Z"),
        ("plain/x.txt", 0, "", "2026-12-06T13:37:01.000Z"),
    ]
    assert page.next_token == "next+1" and page.prefixes == ["sub/dir/"]


def test_botocore_times_are_spelled_as_a_listing_spells_them() -> None:
    moment = datetime(2026, 12, 6, 13, 37, 0, 250000, tzinfo=UTC)
    assert listed_time(moment) == "2026-12-06T13:37:00.250Z"
