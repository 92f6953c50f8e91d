"""The index stays equal to a fresh listing after random writes, moves and deletes, on every
provider kind: S3 (rclone serve s3 and moto), WebDAV (wsgidav), SFTP (sshd), and the FAKE
Drive and Dropbox APIs (whose changes feeds let a quiet refresh skip the listing)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncoxide.catalog.refresh import FEED_QUIET, ChangesFeed, listed_entries, refresh_source
from syncoxide.errors import SyncoxideError
from syncoxide.native.providers.dropbox.provider import DropboxProvider
from syncoxide.native.providers.gdrive.provider import DriveProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.sftp.provider import SftpProvider
from syncoxide.native.providers.webdav.provider import WebDavProvider
from syncoxide.providers.contract import Provider, chunks_of
from tests.native.providers.s3.test_provider_s3 import _settings as s3_settings
from tests.native.providers.sftp.test_provider_sftp import _settings as sftp_settings
from tests.native.providers.webdav.test_provider_webdav import _settings as dav_settings
from tests.native.providers_cloud.test_provider_dropbox import _settings as dropbox_settings
from tests.native.providers_cloud.test_provider_gdrive import _fresh_root
from tests.native.providers_cloud.test_provider_gdrive import _settings as drive_settings
from tests.server.catalog.catalog_world import ALICE, CatalogWorld
from tests.servers import S3Server, SshServer, WebDavServer

KINDS = ("rclone", "moto", "webdav", "sftp", "gdrive", "dropbox")
_NAMES = ("a.txt", "b/c.pdf", "b/d e.jpg", "f/g/h.md", "ünï.txt", "it's.txt")
_OPS = st.lists(
    st.tuples(
        st.sampled_from(("write", "write", "move", "delete", "refresh")),
        st.sampled_from(_NAMES),
        st.sampled_from(_NAMES),
        st.binary(max_size=6),
    ),
    min_size=1,
    max_size=10,
)

_worlds = itertools.count()
Opener = Callable[[], Any]


def _opener(kind: str, request: pytest.FixtureRequest) -> Opener:
    if kind in ("rclone", "moto"):
        server: S3Server = request.getfixturevalue(f"{kind}_s3")
        return lambda: S3Provider(s3_settings(server))
    if kind == "webdav":
        dav: WebDavServer = request.getfixturevalue("wsgidav_server")
        return lambda: WebDavProvider(dav_settings(dav))
    if kind == "sftp":
        ssh: SshServer = request.getfixturevalue("sshd_server")
        return lambda: SftpProvider(sftp_settings(ssh))
    if kind == "gdrive":
        url = request.getfixturevalue("fake_drive_server")[1]

        async def drive() -> Provider:
            return DriveProvider(drive_settings(url, await _fresh_root(url)))

        return drive
    url = request.getfixturevalue("fake_dropbox_server")[1]

    async def dropbox() -> Provider:
        provider = DropboxProvider(dropbox_settings(url))
        await provider.mkdir("")
        return provider

    return dropbox


async def _open(opener: Opener) -> Provider:
    made = opener()
    return await made if asyncio.iscoroutine(made) else made  # type: ignore[no-any-return]


async def _apply(provider: Provider, op: str, path: str, other: str, data: bytes) -> None:
    try:
        if op == "write":
            await provider.write(path, chunks_of(data))
        elif op == "move":
            await provider.move(path, other)
        elif op == "delete":
            await provider.delete(path)
    except SyncoxideError:
        pass  # refused (missing source, taken target): nothing changed


async def _index_matches_listing(world: CatalogWorld, provider: Provider) -> None:
    listed = await listed_entries("remote", provider, "")
    indexed = await world.store.fingerprints(ALICE, "remote")
    assert indexed == {e.path: e.fingerprint for e in listed}
    assert world.word_rows(ALICE) == len(indexed)


@pytest.mark.live  # its servers are asked for by name at run time, so the layer is said here
@pytest.mark.parametrize("kind", KINDS)
def test_the_index_follows_random_changes_on_a_real_provider(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    opener = _opener(kind, request)

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(ops=_OPS)
    def check(ops: list[tuple[str, str, str, bytes]]) -> None:
        world = CatalogWorld(tmp_path / f"w{next(_worlds)}")

        async def run() -> None:
            provider = await _open(opener)
            try:
                for op, path, other, data in ops:
                    if op == "refresh":
                        await refresh_source(world.store, ALICE, "remote", provider, now=1)
                    else:
                        await _apply(provider, op, path, other, data)
                await refresh_source(world.store, ALICE, "remote", provider, now=2)
                await _index_matches_listing(world, provider)
                if isinstance(provider, ChangesFeed):  # nothing changed: the feed says so
                    quiet = await refresh_source(world.store, ALICE, "remote", provider, now=3)
                    assert quiet.how == FEED_QUIET
            finally:
                await provider.aclose()  # type: ignore[attr-defined]

        asyncio.run(run())

    check()
