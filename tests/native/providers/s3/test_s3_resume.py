"""Multipart uploads resumed by a later write: parts the server holds are not sent again."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import create_client
from tests.native.providers.counting_proxy import counting_proxy
from tests.native.providers.s3.test_provider_s3 import SMALL_PARTS, _settings, _stream
from tests.servers import S3Server

DATA = hashlib.sha256(b"seed").digest() * (4 * SMALL_PARTS // 32 + 1000)  # 4 parts + a tail
MTIME = 1_700_000_000 * 10**9


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    return request.getfixturevalue(f"{request.param}_s3")


async def _cut_after(data: bytes, limit: int) -> AsyncIterator[bytes]:
    """The source fails after ``limit`` bytes, once the parts it filled had time to arrive."""
    for start in range(0, limit, 1 << 20):
        yield data[start : start + (1 << 20)]
    await asyncio.sleep(1.5)
    raise ConnectionResetError("the source disk went away")


async def _interrupted_write(provider: S3Provider) -> None:
    with pytest.raises(ConnectionResetError):
        await provider.write("big.bin", _cut_after(DATA, 3 * SMALL_PARTS), mtime_ns=MTIME)


def _open_upload_id(state: Path) -> str:
    uploads = json.loads((state / "s3-uploads.json").read_text())["uploads"]
    [upload] = uploads.values()
    return str(upload["upload_id"])


def test_a_later_write_sends_only_the_missing_parts(s3_server: S3Server, tmp_path: Path) -> None:
    settings = _settings(s3_server)
    upstream = int(s3_server.endpoint.rsplit(":", 1)[1])

    async def run() -> None:
        async with S3Provider(settings) as first:
            first.keep_state_in(tmp_path)
            await _interrupted_write(first)
        with counting_proxy(upstream) as proxy:
            through = replace(settings, endpoint_url=f"http://127.0.0.1:{proxy.port}")
            async with S3Provider(through) as second:
                second.keep_state_in(tmp_path)
                written = await second.write("big.bin", _stream(DATA, 1 << 20), mtime_ns=MTIME)
            sent = proxy.sent
        assert len(DATA) - 3 * SMALL_PARTS <= sent < len(DATA) - 3 * SMALL_PARTS + (1 << 20)
        assert written.hashes["sha1"] == hashlib.sha1(DATA).hexdigest()
        async with S3Provider(settings) as reader:
            stat = await reader.stat("big.bin")
            stored = b"".join([block async for block in reader.open_read("big.bin")])
        assert stored == DATA and stat.mtime_ns == MTIME
        assert stat.hashes["sha1"] == hashlib.sha1(DATA).hexdigest()
        assert json.loads((tmp_path / "s3-uploads.json").read_text())["uploads"] == {}

    asyncio.run(run())


def test_an_upload_for_an_older_source_is_aborted(s3_server: S3Server, tmp_path: Path) -> None:
    settings = _settings(s3_server)
    changed = b"new version " + DATA[12:]

    async def run() -> None:
        async with S3Provider(settings) as first:
            first.keep_state_in(tmp_path)
            await _interrupted_write(first)
        stale = _open_upload_id(tmp_path)
        async with S3Provider(settings) as second:
            second.keep_state_in(tmp_path)
            await second.write("big.bin", _stream(changed, 1 << 20), mtime_ns=MTIME + 10**9)
            stored = b"".join([block async for block in second.open_read("big.bin")])
        assert stored == changed
        async with create_client(settings) as client:
            with pytest.raises(ClientError, match="NoSuchUpload"):
                await client.list_parts(
                    Bucket=settings.bucket, Key=f"{settings.prefix}/big.bin", UploadId=stale
                )

    asyncio.run(run())


def test_a_digest_mismatch_aborts_instead_of_keeping_the_upload(
    rclone_s3: S3Server, tmp_path: Path
) -> None:
    from syncoxide.errors import IntegrityError

    settings = _settings(rclone_s3)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            provider.keep_state_in(tmp_path)
            with pytest.raises(IntegrityError):
                await provider.write(
                    "big.bin",
                    _stream(DATA, 1 << 20),
                    mtime_ns=MTIME,
                    hash_kind="sha1",
                    expected_digest=lambda: "0" * 40,
                )
        assert json.loads((tmp_path / "s3-uploads.json").read_text())["uploads"] == {}

    asyncio.run(run())


def test_an_unreadable_ledger_only_costs_the_resume(rclone_s3: S3Server, tmp_path: Path) -> None:
    settings = _settings(rclone_s3)
    (tmp_path / "s3-uploads.json").write_text('{"version": 1, "uploads": {"k": [1, 2]}}')

    async def run() -> None:
        async with S3Provider(settings) as provider:
            provider.keep_state_in(tmp_path)
            written = await provider.write("big.bin", _stream(DATA, 1 << 20), mtime_ns=MTIME)
        assert written.hashes["sha1"] == hashlib.sha1(DATA).hexdigest()
        assert json.loads((tmp_path / "s3-uploads.json").read_text())["uploads"] == {}

    asyncio.run(run())
