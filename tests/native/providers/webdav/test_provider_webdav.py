"""The WebDAV provider against a real wsgidav server (cheroot)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from syncoxide.errors import AuthenticationError, ProviderUnavailableError
from syncoxide.native.providers.webdav.provider import WebDavProvider, WebDavSettings
from syncoxide.providers.contract import EntryKind, chunks_of
from syncoxide.testing.provider_conformance import CHECKS
from tests.native.providers.server_processes import free_port, with_closing_providers
from tests.servers import DAV_PASSWORD, DAV_USER, WebDavServer

_roots = itertools.count()


def _settings(server: WebDavServer, **changes: object) -> WebDavSettings:
    folder = f"root{next(_roots)}"
    (server.root / folder).mkdir()
    options: dict[str, object] = {
        "url": f"{server.url}/{folder}",
        "username": DAV_USER,
        "password": DAV_PASSWORD,
        **changes,
    }
    return WebDavSettings(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_webdav_provider_conforms(check, wsgidav_server: WebDavServer) -> None:
    asyncio.run(with_closing_providers(lambda: WebDavProvider(_settings(wsgidav_server)), check))


def test_foreign_overwrite_makes_stored_digests_untrusted(wsgidav_server: WebDavServer) -> None:
    async def run() -> None:
        async with WebDavProvider(_settings(wsgidav_server)) as provider:
            await provider.write("f.txt", chunks_of(b"ours"), hash_kind="sha1", mtime_ns=10**9)
            assert (await provider.stat("f.txt")).hashes
            # Another client replaces the content without touching our properties.
            client = provider._http()
            await client.put(provider._url("f.txt"), content=b"theirs, longer")
            entry = await provider.stat("f.txt")
            assert entry.hashes == {} and entry.size == 14 and entry.mtime_ns > 10**9

    asyncio.run(run())


def test_partial_upload_is_listed_as_partial(wsgidav_server: WebDavServer) -> None:
    async def run() -> None:
        async with WebDavProvider(_settings(wsgidav_server)) as provider:
            client = provider._http()
            await client.put(provider._url(".sxpart-0123"), content=b"half")
            tree = {e.path: e async for page in provider.list_tree() for e in page}
            assert tree[".sxpart-0123"].kind is EntryKind.PARTIAL

    asyncio.run(run())


def test_bad_password_is_an_authentication_error(wsgidav_server: WebDavServer) -> None:
    async def run() -> None:
        settings = _settings(wsgidav_server, password="wrong")
        async with WebDavProvider(settings) as provider:
            with pytest.raises(AuthenticationError, match="password"):
                await provider.stat("x")

    asyncio.run(run())


def test_unreachable_server_is_retryable() -> None:
    async def run() -> None:
        url = f"http://127.0.0.1:{free_port()}/dav"
        async with WebDavProvider(WebDavSettings(url=url, timeout=2.0)) as provider:
            with pytest.raises(ProviderUnavailableError, match="Could not reach") as caught:
                await provider.stat("x")
            assert caught.value.retryable

    asyncio.run(run())
