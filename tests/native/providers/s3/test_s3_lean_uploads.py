"""The lean multipart and delete requests against the real servers (rclone serve s3, moto),
read back through botocore; and the replies that must send a request back through botocore.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest

from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.s3.calls import S3Calls
from syncoxide.native.providers.s3.lean import HeadSigner, lean_copy, lean_head, lean_upload_part
from syncoxide.native.providers.s3.lean_uploads import (
    Lean,
    lean_abort,
    lean_complete,
    lean_create_upload,
    lean_delete_keys,
    lean_list_parts,
)
from syncoxide.native.providers.s3.settings import S3Settings, create_client
from tests.native.providers.s3.test_provider_s3 import SMALL_PARTS, _settings
from tests.servers import S3Server

pytestmark = pytest.mark.live

# Names XML and URLs must both carry: a space, a plus, an ampersand, an angle bracket.
ODD = "caf\u00e9/a b+c&d<e>.bin"


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_s3")
    return server


@asynccontextmanager
async def _lean(settings: S3Settings) -> AsyncIterator[Lean]:
    assert settings.endpoint_url and settings.access_key_id and settings.secret_access_key
    signer = HeadSigner(
        settings.endpoint_url, settings.region, settings.access_key_id, settings.secret_access_key
    )
    async with HttpPool(settings.endpoint_url, limit=8, timeouts=(10, 60)) as session:
        yield session, signer


def test_a_lean_multipart_upload_lists_completes_and_aborts(s3_server: S3Server) -> None:
    settings = _settings(s3_server)
    key = f"{settings.prefix}/{ODD}"
    parts = [random.Random(n).randbytes(SMALL_PARTS) for n in range(2)] + [b"tail"]

    async def run() -> None:
        async with _lean(settings) as lean:
            upload_id = await lean_create_upload(lean, settings.bucket, key, {"mtime": "7.5"})
            assert upload_id
            where = (settings.bucket, key, upload_id)
            assert await lean_list_parts(lean, where) == {}
            etags = [
                await lean_upload_part(*lean, where, n + 1, body=body)
                for n, body in enumerate(parts)
            ]
            held = await lean_list_parts(lean, where)
            assert held is not None
            assert [(n, p.size) for n, p in sorted(held.items())] == [
                (n + 1, len(body)) for n, body in enumerate(parts)
            ]
            for n, body in enumerate(parts):
                assert held[n + 1].holds(hashlib.md5(body).hexdigest(), len(body))
            sent = [(n + 1, e.etag if e else "") for n, e in enumerate(etags)]
            done = await lean_complete(lean, where, sent)
            assert done is not None and done.etag.strip('"').endswith("-3")
            assert not done.encrypted
            head = await lean_head(*lean, settings.bucket, key)
            assert head is not None and head.metadata["mtime"] == "7.5"
            assert head.size == sum(len(body) for body in parts)
            # The upload is gone: its listing says so, and an abort is quietly done.
            assert await lean_list_parts(lean, where) is None
            other = await lean_create_upload(lean, settings.bucket, key + ".2", {})
            assert other and await lean_abort(lean, (settings.bucket, key + ".2", other))
            assert await lean_list_parts(lean, (settings.bucket, key + ".2", other)) is None
        async with create_client(settings) as client:
            reply = await client.get_object(Bucket=settings.bucket, Key=key)
            async with reply["Body"] as body:
                assert await body.read() == b"".join(parts)

    asyncio.run(run())


def test_a_lean_delete_of_many_keys_and_a_metadata_replace(s3_server: S3Server) -> None:
    settings = _settings(s3_server)
    keys = [f"{settings.prefix}/{ODD}.{n}" for n in range(3)]

    async def run() -> None:
        async with _lean(settings) as lean:
            calls = S3Calls(settings.bucket, lean, _no_botocore)
            for key in keys:
                upload_id = await calls.create_upload(key, {"mtime": "1.0"})
                await calls.upload_part((key, upload_id), 1, b"x")
                held = await calls.held_parts(key, upload_id)
                assert held is not None
                await calls.complete(key, upload_id, [(1, held[1].etag)])
            # A copy onto itself replaces the metadata (rclone answers it without an ETag).
            copied = await lean_copy(
                *lean, settings.bucket, (keys[0], keys[0]), guard=None, metadata={"mtime": "2.0"}
            )
            assert copied is not None
            head = await lean_head(*lean, settings.bucket, keys[0])
            assert head is not None and head.metadata == {"mtime": "2.0"}
            assert await lean_delete_keys(lean, settings.bucket, keys[:2])
            await calls.delete([keys[2], keys[2] + ".never-there"])
            for key in keys:
                assert await lean_head(*lean, settings.bucket, key) is None

    asyncio.run(run())


async def _no_botocore() -> object:
    raise AssertionError("a lean request fell back to botocore")


def test_unusual_replies_go_back_through_botocore(rclone_s3: S3Server) -> None:
    """Wrong credentials on the lean signer (rclone checks them; moto takes any): every lean
    request gives up (None, False or LookupError), and the same call goes through botocore."""
    settings = _settings(rclone_s3)
    key = f"{settings.prefix}/refused.bin"
    where = (settings.bucket, key, "no-such-upload")

    async def run() -> None:
        async with _lean(settings) as (session, _), AsyncExitStack() as stack:
            wrong = HeadSigner(settings.endpoint_url or "", settings.region, "WRONGKEY12345", "x")
            lean = (session, wrong)
            assert await lean_create_upload(lean, settings.bucket, key, {}) is None
            with pytest.raises(LookupError):
                await lean_list_parts(lean, where)
            assert await lean_complete(lean, where, [(1, '"abc"')]) is None
            assert not await lean_abort(lean, where)
            assert not await lean_delete_keys(lean, settings.bucket, [key, key + "2"])
            clients: list[Any] = []

            async def botocore() -> Any:
                if not clients:
                    clients.append(await stack.enter_async_context(create_client(settings)))
                return clients[0]

            calls = S3Calls(settings.bucket, lean, botocore)
            upload_id = await calls.create_upload(key, {})  # botocore's own keys are right
            assert len(clients) == 1
            await calls.abort_quietly(key, upload_id)
            assert await calls.held_parts(key, upload_id) is None

    asyncio.run(run())
