"""The Dropbox provider against the FAKE Dropbox server (tests/fakes/fake_dropbox.py)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections.abc import AsyncIterator

import pytest

from syncoxide.errors import AuthenticationError, IntegrityError, ProviderUnavailableError
from syncoxide.native.providers.dropbox.api import ContentHash
from syncoxide.native.providers.dropbox.provider import DropboxProvider, DropboxSettings
from syncoxide.native.providers.oauth_http import OAuthSettings
from syncoxide.providers.contract import Provider
from syncoxide.testing.provider_conformance import CHECKS, run_conformance
from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_dropbox_store import content_hash
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, Fault

KiB = 1024
_roots = itertools.count()


def _settings(url: str, root: str | None = None, **oauth: object) -> DropboxSettings:
    credentials = OAuthSettings(
        service="Dropbox",
        token_url=f"{url}/oauth2/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        refresh_token=str(oauth.pop("refresh_token", REFRESH_TOKEN)),
        timeout=float(oauth.pop("timeout", 5.0)),  # type: ignore[arg-type]
        backoff_seconds=0.01,
    )
    # Small chunks and pages so paging and upload sessions run on small test files.
    return DropboxSettings(
        credentials,
        root_path=root if root is not None else f"/conformance-{next(_roots)}",
        api_url=url,
        content_url=url,
        chunk_size=64 * KiB,
        single_limit=64 * KiB,
        page_size=2,
    )


def _factory(url: str, opened: list[DropboxProvider]):
    async def make() -> Provider:
        provider = DropboxProvider(_settings(url))
        await provider.mkdir("")
        opened.append(provider)
        return provider

    return make


async def _run_closing(opened: list[DropboxProvider], work):
    try:
        return await work
    finally:
        for provider in opened:
            await provider.aclose()


async def _blocks(content: bytes, size: int = 50 * KiB) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


async def _read(provider: DropboxProvider, path: str) -> bytes:
    return b"".join([block async for block in provider.open_read(path)])


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_dropbox_conforms(check, fake_dropbox: tuple[FakeDropbox, str]) -> None:
    opened: list[DropboxProvider] = []
    asyncio.run(_run_closing(opened, check(_factory(fake_dropbox[1], opened))))


def test_run_conformance_reports_no_failures(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    opened: list[DropboxProvider] = []
    work = run_conformance(_factory(fake_dropbox[1], opened))
    assert asyncio.run(_run_closing(opened, work)) == []


def test_content_hash_matches_dropbox_scheme() -> None:
    content = bytes(range(256)) * (20 * 1024 + 3)  # crosses the 4 MiB block edge
    hasher = ContentHash()
    for start in range(0, len(content), 1_000_003):
        hasher.update(content[start : start + 1_000_003])
    assert hasher.hexdigest() == content_hash(content)
    assert ContentHash().hexdigest() == hashlib.sha256(b"").hexdigest()


def test_listing_carries_content_hash(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    async def run() -> None:
        provider = DropboxProvider(_settings(fake_dropbox[1]))
        await provider.mkdir("")
        written = await provider.write("h.bin", _blocks(b"x" * 100), hash_kind="md5")
        listed = [e async for page in provider.list_tree() for e in page]
        assert listed[0].hashes["dropbox"] == content_hash(b"x" * 100) == written.hashes["dropbox"]
        assert await provider.hash("h.bin", "dropbox") == content_hash(b"x" * 100)
        await provider.aclose()

    asyncio.run(run())


def test_expired_token_is_renewed(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    fake, url = fake_dropbox

    async def run() -> int:
        provider = DropboxProvider(_settings(url))
        await provider.mkdir("a")
        fake.tokens.expire_all()
        await provider.mkdir("b")
        await provider.aclose()
        return provider.client.renewals

    assert asyncio.run(run()) == 2


def test_retry_after_is_honored(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    fake, url = fake_dropbox

    async def run() -> float:
        provider = DropboxProvider(_settings(url))
        await provider.mkdir("x")  # token first, so the wait below is the only one
        fake.faults.add(Fault("/2/files/create_folder_v2", status=429, retry_after="1"))
        started = time.monotonic()
        await provider.mkdir("y")
        await provider.aclose()
        return time.monotonic() - started

    assert asyncio.run(run()) >= 0.95


def test_injected_5xx_and_timeouts_are_retried(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    fake, url = fake_dropbox

    async def run() -> bytes:
        provider = DropboxProvider(_settings(url, timeout=0.5))
        fake.faults.add(Fault("/2/files/upload", status=500, times=2))
        fake.faults.add(Fault("/2/files/download", status=0, delay=1.5))
        await provider.write("r.txt", _blocks(b"retried"))
        data = await _read(provider, "r.txt")
        await provider.aclose()
        return data

    assert asyncio.run(run()) == b"retried"


def test_interrupted_session_resumes_at_server_offset(
    fake_dropbox: tuple[FakeDropbox, str],
) -> None:
    fake, url = fake_dropbox
    content = bytes(range(256)) * 1024  # 256 KiB: four 64 KiB session chunks

    async def run() -> int:
        provider = DropboxProvider(_settings(url))
        # An append lands but its reply is lost; the repeat hears incorrect_offset and moves on.
        fake.faults.add(Fault("/upload_session/append_v2", status=503, after_work=True))
        written = await provider.write("big.bin", _blocks(content), hash_kind="sha1")
        assert written.hashes["sha1"] == hashlib.sha1(content).hexdigest()
        assert await _read(provider, "big.bin") == content
        await provider.aclose()
        return provider.uploads.resumes

    assert asyncio.run(run()) >= 1


def test_session_mismatch_commits_nothing(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    async def run() -> list[str]:
        provider = DropboxProvider(_settings(fake_dropbox[1]))
        await provider.mkdir("")
        with pytest.raises(IntegrityError):
            await provider.write(
                "big.bin", _blocks(b"y" * 200 * KiB), expected_digest=lambda: "0" * 40
            )
        listed = [e.path async for page in provider.list_tree() for e in page]
        await provider.aclose()
        return listed

    assert asyncio.run(run()) == []


def test_persistent_5xx_is_unavailable(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    fake, url = fake_dropbox

    async def run() -> None:
        provider = DropboxProvider(_settings(url))
        fake.faults.add(Fault("/2/files/get_metadata", status=503, times=50))
        try:
            await provider.stat("anything")
        finally:
            await provider.aclose()

    with pytest.raises(ProviderUnavailableError):
        asyncio.run(run())


def test_refused_renewal_is_a_clear_authentication_error(
    fake_dropbox: tuple[FakeDropbox, str],
) -> None:
    fake, url = fake_dropbox
    fake.tokens.refuse_renewals = True

    async def run() -> None:
        provider = DropboxProvider(_settings(url))
        try:
            with pytest.raises(AuthenticationError) as caught:
                await provider.stat("x")
            assert "Reconnect Dropbox" in str(caught.value) and "invalid_grant" in str(caught.value)
            asked = fake.tokens.renewals
            with pytest.raises(AuthenticationError):
                await provider.stat("y")
            assert fake.tokens.renewals == asked
        finally:
            await provider.aclose()

    asyncio.run(run())


def test_changes_feed_reports_paths(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    async def run() -> None:
        provider = DropboxProvider(_settings(fake_dropbox[1]))
        await provider.mkdir("")
        token = await provider.changes_token()
        await provider.write("c.txt", _blocks(b"c"))
        await provider.delete("c.txt")
        changed, later = await provider.changes(token)
        assert changed == ["c.txt", "c.txt"]
        assert (await provider.changes(later))[0] == []
        await provider.aclose()

    asyncio.run(run())


def test_download_cut_mid_way_is_unavailable(fake_dropbox: tuple[FakeDropbox, str]) -> None:
    fake, url = fake_dropbox

    async def run() -> None:
        provider = DropboxProvider(_settings(url))
        await provider.write("cut.bin", _blocks(b"c" * 300 * KiB))
        fake.faults.add(Fault("/2/files/download", status=0, cut_after=1000))
        try:
            await _read(provider, "cut.bin")
        finally:
            await provider.aclose()

    with pytest.raises(ProviderUnavailableError, match="connection dropped"):
        asyncio.run(run())


async def _cut_after(content: bytes, limit: int) -> AsyncIterator[bytes]:
    """The source fails after ``limit`` bytes, as a disk that went away."""
    async for block in _blocks(content[:limit], 64 * KiB):
        yield block
    raise ConnectionResetError("the source disk went away")


def test_an_interrupted_session_is_resumed_by_a_later_write(
    fake_dropbox: tuple[FakeDropbox, str], tmp_path
) -> None:
    import json
    from dataclasses import replace

    from tests.native.providers.counting_proxy import counting_proxy

    url = fake_dropbox[1]
    settings = _settings(url)
    data = hashlib.sha256(b"resume").digest() * (10 * 64 * KiB // 32 + 40)
    mtime = 1_700_000_000 * 10**9

    async def run() -> None:
        first = DropboxProvider(settings)
        first.keep_state_in(tmp_path)
        with pytest.raises(ConnectionResetError):
            await first.write("big.bin", _cut_after(data, 6 * 64 * KiB), mtime_ns=mtime)
        await first.aclose()
        port = int(url.rsplit(":", 1)[1])
        with counting_proxy(port) as proxy:
            through = replace(settings, content_url=f"http://127.0.0.1:{proxy.port}")
            second = DropboxProvider(through)
            second.keep_state_in(tmp_path)
            await second.write("big.bin", _blocks(data, 64 * KiB), mtime_ns=mtime)
            assert await _read(second, "big.bin") == data
            await second.aclose()
            sent = proxy.sent
        held = 5 * 64 * KiB  # whole chunks appended before the source failed
        assert len(data) - held <= sent < len(data) - held + 32 * KiB
        saved = json.loads((tmp_path / "dropbox-uploads.json").read_text())
        assert saved["uploads"] == {}

    asyncio.run(run())


def test_a_session_for_an_older_source_is_not_resumed(
    fake_dropbox: tuple[FakeDropbox, str], tmp_path
) -> None:
    settings = _settings(fake_dropbox[1])
    old = b"o" * (4 * 64 * KiB)
    new = b"n" * (4 * 64 * KiB + 5)

    async def run() -> None:
        provider = DropboxProvider(settings)
        provider.keep_state_in(tmp_path)
        with pytest.raises(ConnectionResetError):
            await provider.write("f.bin", _cut_after(old, 3 * 64 * KiB), mtime_ns=10**18)
        await provider.write("f.bin", _blocks(new, 64 * KiB), mtime_ns=2 * 10**18)
        assert await _read(provider, "f.bin") == new
        await provider.aclose()

    asyncio.run(run())
