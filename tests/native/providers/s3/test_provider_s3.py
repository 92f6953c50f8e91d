"""The S3 provider against two real servers: rclone serve s3 (plain files) and moto (strict)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from syncoxide.errors import (
    AuthenticationError,
    IntegrityError,
    NotFoundError,
    ProviderUnavailableError,
)
from syncoxide.native.providers.s3.provider import S3Provider, S3Settings
from syncoxide.testing.provider_conformance import CHECKS
from tests.native.providers.server_processes import free_port, with_closing_providers
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

_roots = itertools.count()
SMALL_PARTS = 5 * 1024 * 1024  # the smallest part S3 allows: keeps multipart tests quick


def _settings(server: S3Server, **changes: object) -> S3Settings:
    base = S3Settings(
        bucket=server.bucket,
        prefix=f"root{next(_roots)}",
        endpoint_url=server.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        max_attempts=1,
        part_size=SMALL_PARTS,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    return request.getfixturevalue(f"{request.param}_s3")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_s3_provider_conforms(check, s3_server: S3Server) -> None:
    asyncio.run(with_closing_providers(lambda: S3Provider(_settings(s3_server)), check))


async def _stream(data: bytes, step: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), step):
        yield data[start : start + step]


def test_multipart_upload_round_trips_with_stored_digests(s3_server: S3Server) -> None:
    data = bytes(range(256)) * (12 * 1024 * 1024 // 256 + 7)  # three parts, the last short

    async def run() -> None:
        async with S3Provider(_settings(s3_server)) as provider:
            written = await provider.write(
                "big/file.bin", _stream(data, 1 << 20), mtime_ns=123 * 10**9, hash_kind="sha1"
            )
            assert written.hashes["sha1"] == hashlib.sha1(data).hexdigest()
            stat = await provider.stat("big/file.bin")
            assert stat.size == len(data) and stat.mtime_ns == 123 * 10**9
            assert stat.hashes["md5"] == hashlib.md5(data).hexdigest()
            assert stat.hashes["sha1"] == written.hashes["sha1"]
            tail = b"".join([b async for b in provider.open_read("big/file.bin", len(data) - 9)])
            assert tail == data[-9:]

    asyncio.run(run())


def test_multipart_mismatch_aborts_and_keeps_the_old_file(s3_server: S3Server) -> None:
    data = b"x" * (SMALL_PARTS + 10)

    async def run() -> None:
        async with S3Provider(_settings(s3_server)) as provider:
            await provider.write("keep.bin", _stream(b"old", 3))
            with pytest.raises(IntegrityError):
                await provider.write(
                    "keep.bin",
                    _stream(data, 1 << 20),
                    hash_kind="md5",
                    expected_digest=lambda: "0" * 32,
                )
            assert b"".join([b async for b in provider.open_read("keep.bin")]) == b"old"
            client = await provider._s3()
            uploads = await client.list_multipart_uploads(Bucket=s3_server.bucket)
            assert not [u for u in uploads.get("Uploads", []) if u["Key"].endswith("keep.bin")]

    asyncio.run(run())


def test_missing_bucket_is_not_found(s3_server: S3Server) -> None:
    async def run() -> None:
        async with S3Provider(_settings(s3_server, bucket="no-such-bucket-here")) as provider:
            with pytest.raises(NotFoundError, match="bucket"):
                async for _ in provider.list_tree():
                    pass

    asyncio.run(run())


def test_bad_credentials_are_an_authentication_error(rclone_s3: S3Server) -> None:
    async def run() -> None:
        settings = _settings(rclone_s3, secret_access_key="wrong-secret")
        async with S3Provider(settings) as provider:
            with pytest.raises(AuthenticationError, match="credentials"):
                await provider.stat("anything")

    asyncio.run(run())


def test_unreachable_endpoint_is_retryable_and_says_where() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    server = S3Server("none", endpoint, "bucket")

    async def run() -> None:
        async with S3Provider(_settings(server, connect_timeout=2.0)) as provider:
            with pytest.raises(ProviderUnavailableError, match=r"127\.0\.0\.1") as caught:
                await provider.stat("x")
            assert caught.value.retryable

    asyncio.run(run())


def test_foreign_objects_and_console_markers_are_read(s3_server: S3Server) -> None:
    """Objects another tool wrote: no metadata, and ``folder/`` markers as consoles make."""
    settings = _settings(s3_server)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            client = await provider._s3()
            root = settings.prefix + "/"
            await client.put_object(Bucket=settings.bucket, Key=root + "plain.txt", Body=b"abc")
            if s3_server.name == "moto":  # a file-backed server turns ``x/`` into a file
                await client.put_object(Bucket=settings.bucket, Key=root + "console/", Body=b"")
            tree = {e.path: e async for page in provider.list_tree() for e in page}
            assert tree["plain.txt"].size == 3 and tree["plain.txt"].mtime_ns > 0
            assert await provider.hash("plain.txt", "sha1") == hashlib.sha1(b"abc").hexdigest()
            if s3_server.name == "moto":
                assert tree["console"].kind.value == "dir"
                await provider.delete("console")
                assert "console" not in {e.path async for p in provider.list_tree() for e in p}

    asyncio.run(run())


def test_lean_head_signs_unicode_keys_the_server_accepts(s3_server: S3Server) -> None:
    from syncoxide.native.providers.s3.lean import lean_head

    async def run() -> None:
        async with S3Provider(_settings(s3_server)) as provider:
            await provider.write("caf\u00e9/\u00fc b+c.txt", _stream(b"abc", 3), mtime_ns=5)
            lean = await provider._lean_session()
            assert lean is not None
            session, signer = lean
            key = provider._key("caf\u00e9/\u00fc b+c.txt")
            head = await lean_head(session, signer, s3_server.bucket, key)
            assert head is not None and head.size == 3 and head.metadata["mtime"].startswith("0.")

    asyncio.run(run())


def test_lean_get_reads_whole_ranged_missing_and_past_the_end(s3_server: S3Server) -> None:
    from syncoxide.native.providers.s3.lean import lean_get

    content = bytes(range(256)) * 40
    name = "caf\u00e9/\u00fc get+.bin"

    async def run() -> None:
        async with S3Provider(_settings(s3_server)) as provider:
            await provider.write(name, _stream(content, 1000), mtime_ns=5)
            lean = await provider._lean_session()
            assert lean is not None
            session, signer = lean
            key = provider._key(name)
            whole = await lean_get(session, signer, s3_server.bucket, key, byte_range="")
            assert whole is not None
            assert b"".join([b async for b in whole.chunks(4096)]) == content
            part = await lean_get(session, signer, s3_server.bucket, key, byte_range="bytes=10-19")
            assert part is not None
            assert b"".join([b async for b in part.chunks(4)]) == content[10:20]
            missing = provider._key("caf\u00e9/none")
            assert await lean_get(session, signer, s3_server.bucket, missing, byte_range="") is None
            with pytest.raises(LookupError):  # 416: botocore then says what it means
                await lean_get(
                    session, signer, s3_server.bucket, key, byte_range=f"bytes={len(content)}-"
                )
            # Through the provider: the same bytes, and nothing past the end, as the contract says.
            assert b"".join([b async for b in provider.open_read(name, 5, 7)]) == content[5:12]
            assert [b async for b in provider.open_read(name, len(content))] == []
            with pytest.raises(NotFoundError):
                async for _ in provider.open_read("caf\u00e9/none"):
                    pass

    asyncio.run(run())


def test_lean_put_is_accepted_and_checked_by_content_md5(s3_server: S3Server) -> None:
    from syncoxide.native.providers.s3.lean import lean_put

    async def run() -> None:
        async with S3Provider(_settings(s3_server)) as provider:
            lean = await provider._lean_session()
            assert lean is not None
            session, signer = lean
            key = provider._key("caf\u00e9/lean put.txt")
            good = hashlib.md5(b"body").digest()
            meta = {"mtime": "7.000000000"}
            assert await lean_put(
                session, signer, s3_server.bucket, key, body=b"body", md5=good, metadata=meta
            )
            entry = await provider.stat("caf\u00e9/lean put.txt")
            assert entry.size == 4 and entry.mtime_ns == 7 * 10**9
            if s3_server.name == "rclone":  # moto does not check Content-MD5
                wrong = hashlib.md5(b"other").digest()
                assert not await lean_put(
                    session, signer, s3_server.bucket, key, body=b"body", md5=wrong, metadata={}
                )

    asyncio.run(run())


def test_parallel_multipart_writes_share_few_part_slots(s3_server: S3Server) -> None:
    """Three big files through one part slot: each part waits its turn, none is lost."""
    files = {f"f{n}.bin": bytes([n]) * (2 * SMALL_PARTS + 1000 * n) for n in range(1, 4)}

    async def run() -> None:
        async with S3Provider(_settings(s3_server, upload_concurrency=1)) as provider:
            written = await asyncio.gather(
                *(provider.write(name, _stream(data, 1 << 20)) for name, data in files.items())
            )
            assert [w.size for w in written] == [len(d) for d in files.values()]
            for name, data in files.items():
                stored = b"".join([b async for b in provider.open_read(name)])
                assert hashlib.sha1(stored).digest() == hashlib.sha1(data).digest()
            assert provider._part_slots._value == 1  # every slot came back

    asyncio.run(asyncio.wait_for(run(), 120))
