"""The provider for your own files on a syncoxide server, against a live server on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from syncoxide.errors import (
    AuthenticationError,
    IntegrityError,
    NotFoundError,
    ProviderError,
    ProviderUnavailableError,
)
from syncoxide.native.providers.server_storage.provider import (
    ServerStorageProvider,
    ServerStorageSettings,
)
from syncoxide.providers.contract import EntryKind, chunks_of
from syncoxide.testing.provider_conformance import CHECKS
from tests.native.providers.server_processes import free_port, with_closing_providers
from tests.native.providers.server_storage.live_syncoxide import LiveAccounts, live_accounts

pytestmark = pytest.mark.live

_roots = itertools.count()
# Small thresholds so the tus path (several parts, held-back last part) runs on small data.
SMALL = {"small_upload": 64 * 1024, "part_size": 48 * 1024}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAccounts]:
    with live_accounts(tmp_path_factory.mktemp("storage") / "data", "alice", "bob") as accounts:
        yield accounts


def _settings(live: LiveAccounts, user: str = "alice", **changes: object) -> ServerStorageSettings:
    options: dict[str, object] = {
        "url": live.url,
        "token": live.tokens[user],
        "root": f"root{next(_roots)}",
        **changes,
    }
    return ServerStorageSettings(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_server_storage_provider_conforms(check, live: LiveAccounts) -> None:
    asyncio.run(with_closing_providers(lambda: ServerStorageProvider(_settings(live)), check))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_server_storage_provider_conforms_through_tus(check, live: LiveAccounts) -> None:
    make = lambda: ServerStorageProvider(_settings(live, small_upload=100, part_size=1000))  # noqa: E731
    asyncio.run(with_closing_providers(make, check))


async def _tree(provider: ServerStorageProvider) -> dict[str, object]:
    return {e.path: e async for page in provider.list_tree() for e in page}


def test_large_write_goes_through_tus_and_lists_its_sha1(live: LiveAccounts) -> None:
    content = os.urandom(300 * 1024)

    async def run() -> None:
        async with ServerStorageProvider(_settings(live, **SMALL)) as provider:
            written = await provider.write(
                "big/one.bin",
                chunks_of(content[:1000], content[1000:]),
                mtime_ns=7,
                hash_kind="md5",
            )
            assert written.hashes["md5"] == hashlib.md5(content).hexdigest()
            listed = (await provider.stat("big/one.bin")).hashes
            assert listed["sha1"] == hashlib.sha1(content).hexdigest()
            assert listed["sha256"] == hashlib.sha256(content).hexdigest()
            read = b"".join([b async for b in provider.open_read("big/one.bin", 5, 100_000)])
            assert read == content[5:100_005]

    asyncio.run(run())


def test_mismatched_large_write_commits_nothing(live: LiveAccounts) -> None:
    async def run() -> None:
        async with ServerStorageProvider(_settings(live, **SMALL)) as provider:
            with pytest.raises(IntegrityError):
                await provider.write(
                    "x.bin", chunks_of(os.urandom(200_000)), expected_digest=lambda: "0" * 40
                )
            assert await _tree(provider) == {}

    asyncio.run(run())


def test_an_interrupted_large_write_resumes_in_the_next_run(
    live: LiveAccounts, tmp_path: Path
) -> None:
    content = os.urandom(400 * 1024)
    settings = _settings(live, **SMALL)

    async def breaks_after(limit: int) -> AsyncIterator[bytes]:
        for start in range(0, limit, 10_000):
            yield content[start : start + 10_000]
        raise ProviderUnavailableError("the source's disk went away")

    async def run() -> None:
        async with ServerStorageProvider(settings) as first:
            first.keep_state_in(tmp_path)
            with pytest.raises(ProviderUnavailableError):
                await first.write("r.bin", breaks_after(250_000), mtime_ns=99)
            assert "r.bin" not in await _tree(first)
        async with ServerStorageProvider(settings) as second:
            second.keep_state_in(tmp_path)
            from syncoxide.native.providers.server_storage import upload as module

            sent: list[int] = []
            original = module.TusUpload.finish

            async def finish(self: module.TusUpload, url: str, size: int) -> None:
                sent.append(self.resumed_bytes)
                await original(self, url, size)

            module.TusUpload.finish = finish  # type: ignore[method-assign]
            try:
                await second.write("r.bin", chunks_of(content), mtime_ns=99)
            finally:
                module.TusUpload.finish = original  # type: ignore[method-assign]
            assert sent and sent[0] >= 4 * 48 * 1024, "the parts sent in the first run are kept"
            got = b"".join([b async for b in second.open_read("r.bin")])
            assert got == content
        assert "r.bin" not in (tmp_path / "server-uploads.json").read_text()

    asyncio.run(run())


def test_resume_with_a_changed_source_is_refused_by_its_digest(
    live: LiveAccounts, tmp_path: Path
) -> None:
    """Same mtime, other bytes: the held parts do not match, and the commit says so."""
    old, new = os.urandom(300 * 1024), os.urandom(300 * 1024)
    settings = _settings(live, **SMALL)

    async def breaks(content: bytes) -> AsyncIterator[bytes]:
        yield content[:200_000]
        raise ProviderUnavailableError("cut")

    async def run() -> None:
        async with ServerStorageProvider(settings) as first:
            first.keep_state_in(tmp_path)
            with pytest.raises(ProviderUnavailableError):
                await first.write("c.bin", breaks(old), mtime_ns=5)
        async with ServerStorageProvider(settings) as second:
            second.keep_state_in(tmp_path)
            with pytest.raises(IntegrityError):
                await second.write("c.bin", chunks_of(new), mtime_ns=5)
            assert "c.bin" not in await _tree(second)

    asyncio.run(run())


def test_one_user_never_sees_anothers_files(live: LiveAccounts) -> None:
    async def run() -> None:
        root = f"shared{next(_roots)}"
        async with ServerStorageProvider(_settings(live, "alice", root=root)) as alice:
            await alice.write("secret.txt", chunks_of(b"alice only"))
        async with ServerStorageProvider(_settings(live, "bob", root=root)) as bob:
            assert await _tree(bob) == {}
            await bob.write("secret.txt", chunks_of(b"bob's own"))
        async with ServerStorageProvider(_settings(live, "alice", root=root)) as alice:
            got = b"".join([b async for b in alice.open_read("secret.txt")])
            assert got == b"alice only"

    asyncio.run(run())


def test_wrong_token_is_an_authentication_error(live: LiveAccounts) -> None:
    async def run() -> None:
        async with ServerStorageProvider(_settings(live, token="sxo_wrong")) as provider:
            with pytest.raises(AuthenticationError, match="token"):
                await provider.stat("x")

    asyncio.run(run())


def test_unreachable_server_is_retryable() -> None:
    async def run() -> None:
        settings = ServerStorageSettings(f"http://127.0.0.1:{free_port()}", "t", timeout=5)
        async with ServerStorageProvider(settings) as provider:
            with pytest.raises(ProviderUnavailableError) as caught:
                await provider.stat("x")
            assert caught.value.retryable

    asyncio.run(run())


def test_pruned_folders_are_not_listed(live: LiveAccounts) -> None:
    async def run() -> None:
        async with ServerStorageProvider(_settings(live)) as provider:
            await provider.write("keep/a.txt", chunks_of(b"a"))
            await provider.write("skip/deep/b.txt", chunks_of(b"b"))
            pages = provider.list_tree(lambda path: path == "skip")
            listed = {e.path: e.kind async for page in pages for e in page}
            assert listed == {"keep": EntryKind.DIR, "keep/a.txt": EntryKind.FILE}

    asyncio.run(run())


def test_a_put_cut_off_mid_body_leaves_nothing(live: LiveAccounts) -> None:
    """A client that promises 1 MB and hangs up after 1000 bytes: nothing gets the name."""
    host, port = live.url.removeprefix("http://").split(":")
    request = (
        "PUT /api/v1/storage/content?path=cut-off.bin HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {live.tokens['alice']}\r\n"
        "Content-Length: 1000000\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(request + b"x" * 1000)
    time.sleep(0.5)  # let the server notice the disconnect and clean up

    async def run() -> None:
        async with ServerStorageProvider(_settings(live, root="")) as provider:
            with pytest.raises(NotFoundError):
                await provider.stat("cut-off.bin")

    asyncio.run(run())
    assert list((live.server.data_dir / "incoming").iterdir()) == []


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAccounts]:
    """A server whose users may store 200 KB each."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SYNCOXIDE_LINK_QUOTA_BYTES", str(200 * 1024))
        data = tmp_path_factory.mktemp("tight") / "data"
        with live_accounts(data, "dora") as accounts:
            yield accounts


@pytest.mark.parametrize("size", [150 * 1024, 400 * 1024], ids=["one-request", "tus"])
def test_over_quota_is_a_clear_error_and_leaves_nothing(tight: LiveAccounts, size: int) -> None:
    async def run() -> None:
        settings = _settings(tight, "dora", **SMALL)
        async with ServerStorageProvider(settings) as provider:
            await provider.write("first.bin", chunks_of(os.urandom(100 * 1024)))
            with pytest.raises(ProviderError, match="quota") as caught:
                await provider.write("second.bin", chunks_of(os.urandom(size)))
            assert not caught.value.retryable
            assert "Nothing" in str(caught.value)
            assert set(await _tree(provider)) == {"first.bin"}

    asyncio.run(run())
    assert list((tight.server.data_dir / "uploads").iterdir()) == []
    assert list((tight.server.data_dir / "incoming").iterdir()) == []


def test_two_accounts_on_one_server_never_share_pair_state() -> None:
    # Pair state is keyed by root_id; one URL holds every account's own files.
    alice = ServerStorageProvider(ServerStorageSettings("http://127.0.0.1:1", token="sxo_alice"))
    bob = ServerStorageProvider(ServerStorageSettings("http://127.0.0.1:1", token="sxo_bob"))
    again = ServerStorageProvider(ServerStorageSettings("http://127.0.0.1:1/", token="sxo_alice"))
    assert alice.root_id != bob.root_id
    assert alice.root_id == again.root_id
    assert "sxo_alice" not in alice.root_id  # the token itself is never written to pair state
