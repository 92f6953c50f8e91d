"""The Google Drive provider against the FAKE Drive server (tests/fakes/fake_gdrive.py)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections.abc import AsyncIterator

import pytest

from syncoxide.errors import AuthenticationError, IntegrityError, ProviderUnavailableError
from syncoxide.native.providers.gdrive.provider import DriveProvider, DriveSettings
from syncoxide.native.providers.oauth_http import OAuthSettings
from syncoxide.providers.contract import Provider
from syncoxide.testing.provider_conformance import CHECKS, run_conformance
from tests.fakes.fake_gdrive import FakeDrive
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, Fault

KiB = 1024
_roots = itertools.count()


def _settings(url: str, root: str = "root", **oauth: object) -> DriveSettings:
    credentials = OAuthSettings(
        service="Google Drive",
        token_url=f"{url}/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        refresh_token=str(oauth.pop("refresh_token", REFRESH_TOKEN)),
        timeout=float(oauth.pop("timeout", 5.0)),  # type: ignore[arg-type]
        backoff_seconds=0.01,
    )
    # Small chunks and page sizes so paging and resumable sessions run on small test files.
    return DriveSettings(
        credentials,
        root_folder_id=root,
        api_url=url,
        chunk_size=256 * KiB,
        multipart_limit=64 * KiB,
        page_size=2,
    )


async def _fresh_root(url: str) -> str:
    """A new empty folder in the fake, so each conformance check starts empty."""
    setup = DriveProvider(_settings(url))
    name = f"conformance-{next(_roots)}"
    await setup.mkdir(name)
    folder = await setup._find(name)
    await setup.aclose()
    assert folder is not None
    return str(folder["id"])


def _factory(url: str, opened: list[DriveProvider]):
    async def make() -> Provider:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        opened.append(provider)
        return provider

    return make


async def _closing(opened: list[DriveProvider]) -> None:
    for provider in opened:
        await provider.aclose()


async def _blocks(content: bytes, size: int = 100 * KiB) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_drive_conforms(check, fake_drive: tuple[FakeDrive, str]) -> None:
    opened: list[DriveProvider] = []

    async def run() -> None:
        try:
            await check(_factory(fake_drive[1], opened))
        finally:
            await _closing(opened)

    asyncio.run(run())


def test_run_conformance_reports_no_failures(fake_drive: tuple[FakeDrive, str]) -> None:
    opened: list[DriveProvider] = []

    async def run() -> list[str]:
        try:
            return await run_conformance(_factory(fake_drive[1], opened))
        finally:
            await _closing(opened)

    assert asyncio.run(run()) == []


def test_expired_token_is_renewed_once(fake_drive: tuple[FakeDrive, str]) -> None:
    fake, url = fake_drive

    async def run() -> int:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        await provider.mkdir("a")
        fake.tokens.expire_all()
        await provider.mkdir("b")  # 401, renew, repeat
        await provider.aclose()
        return provider.client.renewals

    assert asyncio.run(run()) == 2  # the first token, then the renewal after the 401
    assert any(status == 401 for _, _, status in fake.faults.seen)


def test_retry_after_is_honored(fake_drive: tuple[FakeDrive, str]) -> None:
    fake, url = fake_drive

    async def run() -> float:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        fake.faults.add(Fault("/drive/v3/files", status=429, retry_after="1"))
        started = time.monotonic()
        await provider.mkdir("slow")
        await provider.aclose()
        return time.monotonic() - started

    assert asyncio.run(run()) >= 0.95


def test_injected_5xx_and_slow_reply_are_retried(fake_drive: tuple[FakeDrive, str]) -> None:
    fake, url = fake_drive

    async def run() -> tuple[int, bytes]:
        provider = DriveProvider(_settings(url, await _fresh_root(url), timeout=0.5))
        fake.faults.add(Fault("/drive/v3/files", status=503, times=2))
        fake.faults.add(Fault("/upload/drive", status=0, delay=1.5))  # times out once
        await provider.write("r.txt", _blocks(b"retried"), hash_kind="sha1")
        data = b"".join([b async for b in provider.open_read("r.txt")])
        await provider.aclose()
        return provider.client.retries, data

    retries, data = asyncio.run(run())
    assert data == b"retried" and retries >= 3


def test_persistent_5xx_is_unavailable(fake_drive: tuple[FakeDrive, str]) -> None:
    fake, url = fake_drive

    async def run() -> None:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        fake.faults.add(Fault("/drive/v3/files", status=500, times=50))
        try:
            await provider.stat("anything")
        finally:
            await provider.aclose()

    with pytest.raises(ProviderUnavailableError) as caught:
        asyncio.run(run())
    assert caught.value.retryable


def test_interrupted_resumable_upload_resumes(fake_drive: tuple[FakeDrive, str]) -> None:
    fake, url = fake_drive
    content = bytes(range(256)) * 4 * 1024  # 1 MiB: four 256 KiB chunks

    async def run() -> tuple[int, str]:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        # The second chunk arrives but its reply is lost; the upload asks and continues.
        fake.faults.add(Fault("/upload/session/", status=503, times=2, after_work=True))
        written = await provider.write("big.bin", _blocks(content), hash_kind="sha256")
        assert b"".join([b async for b in provider.open_read("big.bin")]) == content
        await provider.aclose()
        return provider.uploads.resumes, written.hashes["sha256"]

    resumes, digest = asyncio.run(run())
    assert resumes >= 1 and digest == hashlib.sha256(content).hexdigest()


def test_refused_renewal_is_a_clear_authentication_error(fake_drive: tuple[FakeDrive, str]) -> None:
    fake, url = fake_drive

    async def run() -> None:
        provider = DriveProvider(_settings(url, refresh_token="revoked"))
        try:
            with pytest.raises(AuthenticationError) as caught:
                await provider.stat("x")
            assert "Reconnect Google Drive" in str(caught.value)
            assert "revoked" in caught.value.message and "invalid_grant" in caught.value.message
            renewals = fake.tokens.renewals
            with pytest.raises(AuthenticationError):
                await provider.stat("y")  # answered at once: no second call to the endpoint
            assert fake.tokens.renewals == renewals
        finally:
            await provider.aclose()

    asyncio.run(run())


def test_changes_feed_reports_new_files(fake_drive: tuple[FakeDrive, str]) -> None:
    _, url = fake_drive

    async def run() -> None:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        token = await provider.changes_token()
        await provider.write("c.txt", _blocks(b"c"))
        changed, later = await provider.changes(token)
        assert (await provider._find("c.txt") or {})["id"] in changed
        assert (await provider.changes(later))[0] == []
        await provider.aclose()

    asyncio.run(run())


def test_resumable_mismatch_or_broken_source_commits_nothing(
    fake_drive: tuple[FakeDrive, str],
) -> None:
    fake, url = fake_drive
    content = b"z" * 600 * KiB  # three chunks: the session path, not multipart

    async def breaks() -> AsyncIterator[bytes]:
        yield content
        raise IntegrityError("source went away")

    async def run() -> list[str]:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        await provider.write("keep.bin", _blocks(b"old"))
        with pytest.raises(IntegrityError):
            await provider.write("keep.bin", _blocks(content), expected_digest=lambda: "0" * 40)
        with pytest.raises(IntegrityError):
            await provider.write("new.bin", breaks())
        assert b"".join([b async for b in provider.open_read("keep.bin")]) == b"old"
        listed = [e.path async for page in provider.list_tree() for e in page]
        await provider.aclose()
        return listed

    assert asyncio.run(run()) == ["keep.bin"]
    assert fake.store.sessions == {}  # both sessions were cancelled, none left open
