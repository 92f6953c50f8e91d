"""The sync engine through each network provider: a copy, then a second run with nothing to do.

The second run catches a provider whose listing disagrees with what ``write`` returned (an
mtime or size that differs would make every run copy everything again).
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest

from syncoxide.engine.pair_store import MemoryPairStore
from syncoxide.engine.run import RunOptions, run_pair
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.native.providers.s3.provider import S3Provider
from syncoxide.native.providers.sftp.provider import SftpProvider
from syncoxide.native.providers.webdav.provider import WebDavProvider
from syncoxide.providers.contract import Entry
from syncoxide.sync.plan import Mode
from syncoxide.system import SystemClock, SystemRandom
from tests.native.providers.s3 import test_provider_s3
from tests.native.providers.sftp import test_provider_sftp
from tests.native.providers.webdav import test_provider_webdav

# Each case runs against a real server, picked by parameter (request.getfixturevalue).
pytestmark = pytest.mark.live


def _seed(root: Path) -> dict[str, bytes]:
    rng = random.Random(7)
    files = {f"d{i % 3}/f{i}.bin": rng.randbytes(rng.randint(0, 40_000)) for i in range(24)}
    files["big/multipart.bin"] = rng.randbytes(6 * 1024 * 1024)
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    (root / "empty").mkdir()
    return files


async def _two_runs(source: Path, target) -> tuple[int, int]:
    store = MemoryPairStore()
    options = RunOptions(mode=Mode.SYNC, transfers=4)
    try:
        local = LocalProvider(source)
        first = await run_pair(
            local, target, store, options, clock=SystemClock(), random=SystemRandom()
        )
        assert not first.failures, first.failures
        second = await run_pair(
            local, target, store, options, clock=SystemClock(), random=SystemRandom()
        )
        return len(first.plan.actions), len(second.plan.actions)
    finally:
        await target.aclose()


def _target(kind: str, request: pytest.FixtureRequest):
    if kind.startswith("s3-"):
        server = request.getfixturevalue(f"{kind[3:]}_s3")
        return S3Provider(test_provider_s3._settings(server))
    if kind == "webdav":
        return WebDavProvider(
            test_provider_webdav._settings(request.getfixturevalue("wsgidav_server"))
        )
    return SftpProvider(test_provider_sftp._settings(request.getfixturevalue("sshd_server")))


@pytest.mark.parametrize("kind", ["s3-rclone", "s3-moto", "webdav", "sftp"])
def test_copy_then_nothing_to_do(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    files = _seed(tmp_path)
    target = _target(kind, request)
    first, second = asyncio.run(_two_runs(tmp_path, target))
    assert first >= len(files)
    assert second == 0

    copied = asyncio.run(_read_all(target, list(files)))
    assert copied == files


async def _read_all(provider, paths: list[str]) -> dict[str, bytes]:
    try:
        return {path: b"".join([b async for b in provider.open_read(path)]) for path in paths}
    finally:
        await provider.aclose()


async def _bisync_rename(
    source: Path, target: S3Provider | WebDavProvider | SftpProvider, files: dict[str, bytes]
) -> list[str]:
    """Bisync, rename the big folder locally, bisync again: the plan the second run made.

    Every write to the server in that run is counted: a carried rename sends no file content."""
    store = MemoryPairStore()
    options = RunOptions(mode=Mode.BISYNC, transfers=4)
    local = LocalProvider(source)
    clock, rng = SystemClock(), SystemRandom()
    try:
        first = await run_pair(local, target, store, options, clock=clock, random=rng)
        assert not first.failures, first.failures
        (source / "big").rename(source / "moved")
        writes = [0]
        real_write = target.write

        async def counted_write(*args: Any, **kwargs: Any) -> Entry:
            writes[0] += 1
            return await real_write(*args, **kwargs)

        target.write = counted_write  # type: ignore[method-assign]
        second = await run_pair(local, target, store, options, clock=clock, random=rng)
        assert not second.failures, second.failures
        assert writes[0] == 0
        target.write = real_write  # type: ignore[method-assign]
        third = await run_pair(local, target, store, options, clock=clock, random=rng)
        assert third.plan.actions == ()
        moved = {p.replace("big/", "moved/", 1): c for p, c in files.items()}
        for path, content in moved.items():
            assert b"".join([b async for b in target.open_read(path)]) == content, path
        return [f"{a.kind.value} {a.side.value} {a.path}" for a in second.plan.ordered()]
    finally:
        await target.aclose()


@pytest.mark.parametrize("kind", ["s3-rclone", "s3-moto", "webdav", "sftp"])
def test_bisync_carries_a_renamed_folder_as_server_side_moves(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    files = _seed(tmp_path)
    lines = asyncio.run(_bisync_rename(tmp_path, _target(kind, request), files))
    assert "rename path2 moved/multipart.bin" in lines, lines
    assert not [line for line in lines if line.startswith(("copy", "trash"))], lines
