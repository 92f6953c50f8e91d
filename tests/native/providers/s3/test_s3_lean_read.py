"""A lean GET's place in the pool comes back on every path: read to the end, and a read its
caller leaves after the first block (the generator closed mid-body), at once, not when the
event loop gets round to finalizing the abandoned inner generator."""

from __future__ import annotations

import asyncio

from syncoxide.native.providers.s3.provider import S3Provider
from tests.native.providers.s3.test_provider_s3 import _settings, _stream
from tests.servers import S3Server

DATA = bytes(range(256)) * (3 * 4096 + 5)  # three 1 MiB blocks and a little


def test_a_read_left_mid_body_gives_its_place_back_at_once(rclone_s3: S3Server) -> None:
    settings = _settings(rclone_s3, head_concurrency=1, connect_timeout=2.0)

    async def run() -> None:
        async with S3Provider(settings) as provider:
            await provider.write("big.bin", _stream(DATA, 1 << 20), mtime_ns=10**18)
            reading = provider.open_read("big.bin")
            assert len(await anext(reading)) > 0
            lean = provider._lean
            assert lean is not None and lean[0].in_use == 1
            await reading.aclose()
            assert lean[0].in_use == 0
            whole = b"".join([block async for block in provider.open_read("big.bin")])
            assert whole == DATA and lean[0].in_use == 0

    asyncio.run(run())
