"""Big files go to S3 with their digests in CreateMultipartUpload: no server-side copy after."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from syncoxide.engine.transfer import copy_verified, digests_first, known_digest_writer
from syncoxide.errors import IntegrityError
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.providers.memory import MemoryProvider
from tests.native.providers.counting_proxy import counting_proxy
from tests.native.providers.s3.test_provider_s3 import SMALL_PARTS, _settings, _stream
from tests.servers import S3Server

DATA = hashlib.sha256(b"first").digest() * (2 * SMALL_PARTS // 32 + 999)  # 2 parts + a tail
MTIME = 1_700_000_123 * 10**9


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    return request.getfixturevalue(f"{request.param}_s3")


@contextmanager
def _counted(server: S3Server) -> Iterator[tuple[S3Provider, list[str]]]:
    """A provider reaching ``server`` through a relay, and the requests it sees on the wire
    (a CopyObject as "COPY /path", whether botocore or the lean requests sent it)."""
    port = int(server.endpoint.rsplit(":", 1)[1])
    with counting_proxy(port) as proxy:
        endpoint = f"http://127.0.0.1:{proxy.port}"
        yield S3Provider(replace(_settings(server), endpoint_url=endpoint)), proxy.requests


def _copies(requests: list[str]) -> list[str]:
    return [r for r in requests if r.startswith("COPY ")]


def test_a_local_big_file_is_uploaded_with_its_digests_and_no_copy(
    s3_server: S3Server, tmp_path: Path
) -> None:
    (tmp_path / "big.bin").write_bytes(DATA)

    async def run(target: S3Provider, requests: list[str]) -> None:
        source = LocalProvider(tmp_path)
        entry = await source.stat("big.bin")
        async with target:
            written = await copy_verified(source, entry, target, "big.bin", kind="sha1")
            assert written.hashes["sha1"] == hashlib.sha1(DATA).hexdigest()
            stored = await target.stat("big.bin")
            assert stored.size == len(DATA) and stored.mtime_ns == entry.mtime_ns
            assert stored.hashes == {
                "md5": hashlib.md5(DATA).hexdigest(),
                "sha1": hashlib.sha1(DATA).hexdigest(),
            }
            assert any(r.startswith("POST ") for r in requests), requests  # it went in parts
            assert _copies(requests) == []

    with _counted(s3_server) as (target, requests):
        asyncio.run(run(target, requests))


def test_a_write_without_known_digests_still_stores_them(s3_server: S3Server) -> None:
    async def run(target: S3Provider, requests: list[str]) -> None:
        async with target:
            await target.write("big.bin", _stream(DATA, 1 << 20), mtime_ns=MTIME)
            assert (await target.stat("big.bin")).hashes["md5"] == hashlib.md5(DATA).hexdigest()
            # The digests are added after the upload: one copy.
            assert len(_copies(requests)) == 1, requests

    with _counted(s3_server) as (target, requests):
        asyncio.run(run(target, requests))


@pytest.mark.parametrize("size", [100, len(DATA)], ids=["single put", "multipart"])
def test_a_stream_that_differs_from_its_known_digests_commits_nothing(
    s3_server: S3Server, size: int
) -> None:
    stale = {"md5": hashlib.md5(b"older").hexdigest(), "sha1": hashlib.sha1(b"older").hexdigest()}

    async def run() -> None:
        async with S3Provider(_settings(s3_server)) as target:
            await target.write("keep.bin", _stream(b"old", 3))
            with pytest.raises(IntegrityError, match="changed between hashing it and sending"):
                await target.write_known(
                    "keep.bin", _stream(DATA[:size], 1 << 20), stale, mtime_ns=MTIME
                )
            assert b"".join([b async for b in target.open_read("keep.bin")]) == b"old"
            client = await target._s3()
            uploads = await client.list_multipart_uploads(Bucket=s3_server.bucket)
            assert not [u for u in uploads.get("Uploads", []) if u["Key"].endswith("keep.bin")]

    asyncio.run(run())


def test_a_source_changed_after_hashing_is_sent_again_with_new_digests(
    rclone_s3: S3Server, tmp_path: Path
) -> None:
    """The first attempt hashed the old bytes; the copy retries, hashes again and succeeds."""
    file = tmp_path / "big.bin"
    file.write_bytes(DATA)

    async def run() -> None:
        source = LocalProvider(tmp_path)
        entry = await source.stat("big.bin")
        real_hash = source.hash
        calls = 0

        async def hash_then_edit(path: str, kind: str) -> str:
            nonlocal calls
            calls += 1
            digest = await real_hash(path, kind)
            if calls == 2:  # both digests taken: the bytes change, size and mtime do not
                with file.open("r+b") as handle:
                    handle.write(b"EDITED")
                os.utime(file, ns=(entry.mtime_ns, entry.mtime_ns))
            return digest

        source.hash = hash_then_edit  # type: ignore[method-assign]
        async with S3Provider(_settings(rclone_s3)) as target:
            await copy_verified(source, entry, target, "big.bin", kind="sha1")
            stored = await target.stat("big.bin")
        edited = file.read_bytes()
        assert stored.hashes["sha1"] == hashlib.sha1(edited).hexdigest() and calls == 4

    asyncio.run(run())


def test_digests_first_never_downloads_a_remote_source(s3_server: S3Server) -> None:
    async def run() -> None:
        remote = MemoryProvider(hashes_cheaply=False)  # a source whose hash() would download
        await remote.write("big.bin", _stream(DATA, 1 << 20))
        entry = await remote.stat("big.bin")
        async with S3Provider(_settings(s3_server)) as provider:
            target = known_digest_writer(provider)
            assert target is provider and known_digest_writer(remote) is None
            assert await digests_first(remote, entry, target) is None
            listed = {"md5": "a" * 32, "sha1": "b" * 40}  # free with the listing: used
            with_hashes = replace(entry, hashes=listed)
            assert await digests_first(remote, with_hashes, target) == listed
            assert await digests_first(remote, replace(entry, size=10), target) is None

    asyncio.run(run())
