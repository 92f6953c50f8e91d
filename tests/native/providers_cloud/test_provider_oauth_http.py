"""The shared OAuth/retry client: Retry-After forms, over-long waits, the fakes' control URL."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import httpx2
import pytest

from syncoxide.errors import ProviderUnavailableError
from syncoxide.native.providers.oauth_http import (
    OAuthClient,
    OAuthSettings,
    retry_after_seconds,
)
from tests.fakes.fake_gdrive import FakeDrive
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN


def _reply(retry_after: str) -> httpx2.Response:
    return httpx2.Response(429, headers={"Retry-After": retry_after})


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert retry_after_seconds(_reply("7")) == 7.0
    later = retry_after_seconds(_reply(formatdate(time.time() + 30, usegmt=True)))
    assert later is not None and 25 <= later <= 31
    assert retry_after_seconds(_reply("soon")) is None
    assert retry_after_seconds(httpx2.Response(503)) is None


def test_control_endpoint_injects_a_fault_and_a_long_wait_fails_fast(
    fake_drive: tuple[FakeDrive, str],
) -> None:
    _, url = fake_drive
    settings = OAuthSettings(
        "Google Drive", f"{url}/token", CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN,
        max_wait_seconds=5.0,
    )  # fmt: skip

    async def run() -> float:
        async with httpx2.AsyncClient() as plain:
            spec = {"path_contains": "/drive/v3/files", "status": 429, "retry_after": "3600"}
            assert (await plain.post(f"{url}/_fake/faults", json=spec)).status_code == 200
        client = OAuthClient(settings)
        started = time.monotonic()
        try:
            with pytest.raises(ProviderUnavailableError, match="wait 3600 s"):
                await client.request("GET", f"{url}/drive/v3/files")
        finally:
            await client.aclose()
        return time.monotonic() - started

    assert asyncio.run(run()) < 2.0  # the hour-long wait is refused, not slept
