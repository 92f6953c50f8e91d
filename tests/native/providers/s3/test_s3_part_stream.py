"""Parts sent to real S3 servers (rclone serve s3, moto): held once, never copied again.

A part is gathered into one buffer and sent from views of it; tracemalloc checks that sending
costs little beyond that buffer (aiohttp used to copy it three more times). A source that gives
fewer or more bytes than the part's length fails that part with ``IntegrityError`` before
anything is sent; the server then lists no such part. A part whose request was cut mid-body
(a killed process) is sent again by the next run and the upload completes.
"""

from __future__ import annotations

import asyncio
import os
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncoxide.errors import IntegrityError, NotFoundError
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.providers.contract import PartPlan
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

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


def test_a_part_goes_out_held_once(s3_server: S3Server) -> None:
    async def go() -> str | None:
        async with S3Provider(_settings(s3_server, "whole")) as provider:
            return await _send_first_part(provider, PART, traced=True)

    stored = asyncio.run(go())
    peak = _PEAKS.pop()
    assert stored is not None  # the server holds the whole part
    assert peak < PART + 3 * MIB, f"sending a {PART // MIB} MiB part peaked at {peak / MIB:.1f} MiB"


@pytest.mark.parametrize("given", [PART - 12345, PART + 1])
def test_a_source_giving_another_length_fails_the_part(s3_server: S3Server, given: int) -> None:
    async def go() -> str | None:
        async with S3Provider(_settings(s3_server, f"len{given}")) as provider:
            with pytest.raises(IntegrityError, match="changed while it was being copied"):
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


async def _stalling(total: int, stall_after: int) -> AsyncIterator[bytes]:
    """``total`` bytes in chunks, but waits forever once ``stall_after`` were given."""
    async for chunk in _chunks(total):
        if stall_after <= 0:
            await asyncio.Event().wait()
        stall_after -= len(chunk)
        yield chunk


def test_a_part_cut_mid_send_is_sent_again_and_the_upload_completes(
    s3_server: S3Server, tmp_path: Path
) -> None:
    def opened() -> S3Provider:
        provider = S3Provider(_settings(s3_server, "cut"))
        provider.keep_state_in(tmp_path)  # the upload ledger outlives the "process"
        return provider

    async def go() -> bytes:
        async with opened() as provider:
            plan = PartPlan(2 * PART, PART, 10**18)
            await provider.begin_parts("big.bin", TOKEN, plan)
            cut = asyncio.ensure_future(
                provider.write_part("big.bin", TOKEN, 0, _stalling(PART, 3 * MIB), size=2 * PART)
            )
            await asyncio.sleep(1)
            cut.cancel()  # as a killed process leaves it: the connection drops mid-body
            with pytest.raises(asyncio.CancelledError):
                await cut
        async with opened() as provider:
            await provider.begin_parts("big.bin", TOKEN, plan)
            for offset in (0, PART):
                await provider.write_part("big.bin", TOKEN, offset, _chunks(PART), size=2 * PART)
            await provider.commit_parts(
                "big.bin", TOKEN, size=2 * PART, mtime_ns=10**18, whole_digest=None, hash_kind=None
            )
            return b"".join([chunk async for chunk in provider.open_read("big.bin")])

    stored = asyncio.run(go())
    assert len(stored) == 2 * PART
    assert stored[:MIB] == bytes([0]) * MIB
