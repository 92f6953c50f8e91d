"""Provider-side history on S3: a versioned bucket on moto lists a file's versions newest first
(only that key's, not a neighbour's with the same prefix) and brings an old one back byte for
byte, keeping every later version; it passes the history conformance suite that Drive and
Dropbox pass too; rclone serve s3, which keeps no versions, says so."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace

import pytest

from syncoxide.errors import NotFoundError, UsageError
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.providers.contract import KeepsVersions, Provider
from syncoxide.testing.history_conformance import HISTORY_CHECKS, HistoryCheck
from tests.native.providers.s3.test_provider_s3 import _settings, _stream
from tests.servers import S3Server

_buckets = itertools.count()


async def _versioned(provider: S3Provider, bucket: str) -> None:
    client = await provider._s3()
    await client.create_bucket(Bucket=bucket)
    await client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


async def _read(provider: S3Provider, path: str) -> bytes:
    return b"".join([chunk async for chunk in provider.open_read(path)])


def test_versions_are_listed_and_an_old_one_comes_back(moto_s3: S3Server) -> None:
    bucket = f"versioned-{next(_buckets)}"
    settings = replace(_settings(moto_s3), bucket=bucket)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            assert isinstance(provider, KeepsVersions)
            await _versioned(provider, bucket)
            for body in (b"first", b"second!", b"third..."):
                await provider.write("notes.txt", _stream(body, 3), mtime_ns=10**18)
            await provider.write("notes.txt.bak", _stream(b"neighbour", 4))
            listed = await provider.versions("notes.txt")
            assert [v.size for v in listed] == [8, 7, 5]
            assert [v.current for v in listed] == [True, False, False]
            assert listed[0].stored_ns >= listed[-1].stored_ns

            entry = await provider.restore_version("notes.txt", listed[-1].version_id)
            assert (entry.size, entry.mtime_ns) == (5, 10**18)  # our metadata came back too
            assert await _read(provider, "notes.txt") == b"first"
            after = await provider.versions("notes.txt")
            assert [v.size for v in after] == [5, 8, 7, 5]  # nothing was lost
            assert [v.current for v in after] == [True, False, False, False]

            with pytest.raises(NotFoundError):
                await provider.restore_version("notes.txt", "no-such-version")
            with pytest.raises(NotFoundError):
                await provider.versions("never-written.txt")
            assert await _read(provider, "notes.txt") == b"first"

    asyncio.run(run())


@pytest.mark.parametrize("check", HISTORY_CHECKS, ids=lambda c: c.__name__)
def test_versioned_bucket_conforms(check: HistoryCheck, moto_s3: S3Server) -> None:
    bucket = f"versioned-{next(_buckets)}"

    async def run() -> None:
        async with S3Provider(replace(_settings(moto_s3), bucket=bucket)) as provider:
            await _versioned(provider, bucket)

            async def make() -> Provider:
                return provider

            await check(make)

    asyncio.run(run())


def test_a_deleted_file_keeps_its_versions_and_none_is_current(moto_s3: S3Server) -> None:
    bucket = f"versioned-{next(_buckets)}"
    settings = replace(_settings(moto_s3), bucket=bucket)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            await _versioned(provider, bucket)
            await provider.write("gone.txt", _stream(b"kept", 4))
            await provider.delete("gone.txt")
            [only] = await provider.versions("gone.txt")
            assert (only.size, only.current) == (4, False)
            await provider.restore_version("gone.txt", only.version_id)
            assert await _read(provider, "gone.txt") == b"kept"

    asyncio.run(run())


def test_a_server_without_versions_says_so(rclone_s3: S3Server) -> None:
    async def run() -> None:
        async with S3Provider(_settings(rclone_s3)) as provider:
            await provider.write("a.txt", _stream(b"a", 1))
            with pytest.raises(UsageError, match="keeps no object versions"):
                await provider.versions("a.txt")

    asyncio.run(run())
