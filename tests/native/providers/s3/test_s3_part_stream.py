"""Parts streamed to real S3 servers (rclone serve s3, moto) as their chunks arrive.

A part is never held whole: sending one holds about a chunk, which tracemalloc checks. A source
that gives fewer or more bytes than the part's length fails that part with ``IntegrityError``
(never a hang on a short body, never a wrong part taken); the server then lists no such part.
"""

from __future__ import annotations

import asyncio
import os
import tracemalloc
from collections.abc import AsyncIterator

import pytest

from syncoxide.errors import IntegrityError, NotFoundError
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.providers.contract import PartPlan
from tests.native.providers.conftest import ACCESS_KEY, SECRET_KEY, S3Server

MIB = 1024 * 1024
PART = 8 * MIB
TOKEN = "streamtoken"
_PEAKS: list[int] = []


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_s3")
    return server


def _settings(server: S3Server, name: str) -> S3Settings:
    return S3Settings(
        bucket=server.bucket,
        prefix=f"stream{os.getpid()}-{name}",
        endpoint_url=server.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        max_attempts=1,
    )


async def _chunks(total: int, chunk: int = MIB) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        step = min(chunk, total - sent)
        yield bytes([sent // chunk % 251]) * step
        sent += step


async def _send_first_part(provider: S3Provider, given: int, *, traced: bool = False) -> str | None:
    """Opens an upload of a 2-part file, sends ``given`` bytes as part 1; its stored MD5.
    ``traced``: tracemalloc runs while the part is sent (not while the client is built)."""
    await provider.begin_parts("big.bin", TOKEN, PartPlan(2 * PART, PART, 10**18))
    if traced:
        tracemalloc.start()
    try:
        await provider.write_part("big.bin", TOKEN, 0, _chunks(given), size=2 * PART)
    finally:
        if traced:
            _PEAKS.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        stored = await provider.part_digest("big.bin", TOKEN, offset=0, length=PART, kind="md5")
        await provider.discard_parts("big.bin", TOKEN)
    return stored


def test_a_part_goes_out_holding_about_one_chunk(s3_server: S3Server) -> None:
    async def go() -> str | None:
        async with S3Provider(_settings(s3_server, "whole")) as provider:
            return await _send_first_part(provider, PART, traced=True)

    stored = asyncio.run(go())
    peak = _PEAKS.pop()
    assert stored is not None  # the server holds the whole part
    assert peak < 3 * MIB, f"sending an {PART // MIB} MiB part peaked at {peak / MIB:.1f} MiB"


@pytest.mark.parametrize("given", [PART - 12345, PART + 1])
def test_a_source_giving_another_length_fails_the_part(s3_server: S3Server, given: int) -> None:
    async def go() -> str | None:
        async with S3Provider(_settings(s3_server, f"len{given}")) as provider:
            with pytest.raises(IntegrityError, match="changed while its part"):
                await asyncio.wait_for(_send_first_part(provider, given), timeout=60)
            with pytest.raises(NotFoundError):
                await provider.stat("big.bin")
            await provider.begin_parts("big.bin", TOKEN, PartPlan(2 * PART, PART, 10**18))
            try:
                return await provider.part_digest(
                    "big.bin", TOKEN, offset=0, length=PART, kind="md5"
                )
            finally:
                await provider.discard_parts("big.bin", TOKEN)

    assert asyncio.run(go()) is None  # no part of another length was taken as this one
