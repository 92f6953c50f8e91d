"""Drive resumable sessions continued by a later run, against the FAKE Drive server."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from syncoxide.errors import IntegrityError
from syncoxide.native.providers.gdrive.provider import DriveProvider
from tests.fakes.fake_gdrive import FakeDrive
from tests.native.providers_cloud.test_provider_gdrive import KiB, _blocks, _fresh_root, _settings

CHUNK = 256 * KiB  # the chunk size of _settings
DATA = hashlib.sha256(b"drive resume").digest() * (16 * CHUNK // 32 + 77)  # 16 chunks + a tail
MTIME = 1_700_000_000 * 10**9
REPO = Path(__file__).resolve().parents[3]


async def _slow_blocks(content: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(content), CHUNK):
        yield content[start : start + CHUNK]
        await asyncio.sleep(0.1)


def upload_slowly(url: str, root: str, state: str) -> None:
    """The run that gets killed: run in a child process by the test below."""

    async def run() -> None:
        provider = DriveProvider(_settings(url, root))
        provider.keep_state_in(Path(state))
        await provider.write("big.bin", _slow_blocks(DATA), mtime_ns=MTIME, hash_kind="sha256")

    asyncio.run(run())


def _kill_mid_upload(fake: FakeDrive, url: str, root: str, state: Path) -> None:
    code = "import sys; from tests.native.providers_cloud.test_gdrive_resume import upload_slowly"
    code += "; upload_slowly(*sys.argv[1:])"
    child = subprocess.Popen([sys.executable, "-c", code, url, root, str(state)], cwd=REPO)
    # The fake serves every test of the session: count only what this upload sends.
    before = fake.session_bytes
    try:
        deadline = time.monotonic() + 60
        while fake.session_bytes - before < 6 * CHUNK and child.poll() is None:
            assert time.monotonic() < deadline, "the upload never got going"
            time.sleep(0.02)
        assert child.poll() is None, "the upload finished before it could be killed"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)


def test_a_killed_upload_is_continued_by_the_next_run(
    fake_drive: tuple[FakeDrive, str], tmp_path: Path
) -> None:
    fake, url = fake_drive
    root = asyncio.run(_fresh_root(url))
    _kill_mid_upload(fake, url, root, tmp_path)
    [open_session] = json.loads((tmp_path / "gdrive-uploads.json").read_text())["uploads"].values()
    held_before = int(open_session["digest"].partition(":")[0]) - CHUNK  # at least this much

    async def resume() -> tuple[dict[str, str], int]:
        provider = DriveProvider(_settings(url, root))
        provider.keep_state_in(tmp_path)
        before = fake.session_bytes
        written = await provider.write(
            "big.bin", _blocks(DATA, 100 * KiB), mtime_ns=MTIME, hash_kind="sha256"
        )
        sent = fake.session_bytes - before
        meta = await provider._need("big.bin")
        assert b"".join([b async for b in provider.open_read("big.bin")]) == DATA
        await provider.aclose()
        return {"sha256": written.hashes["sha256"], "md5": meta["md5Checksum"]}, sent

    hashes, sent = asyncio.run(resume())
    assert hashes == {
        "sha256": hashlib.sha256(DATA).hexdigest(),
        "md5": hashlib.md5(DATA).hexdigest(),
    }
    assert held_before >= 5 * CHUNK
    assert sent <= len(DATA) - held_before  # only what the session did not hold
    saved = json.loads((tmp_path / "gdrive-uploads.json").read_text())
    assert saved["uploads"] == {}


async def _cut_after(content: bytes, limit: int) -> AsyncIterator[bytes]:
    async for block in _blocks(content[:limit], CHUNK):
        yield block
    raise ConnectionResetError("the source disk went away")


def _open_sessions(fake: FakeDrive) -> set[str]:
    return set(fake.store.sessions)


def test_a_session_for_a_source_changed_in_place_is_discarded(
    fake_drive: tuple[FakeDrive, str], tmp_path: Path
) -> None:
    """Same mtime, other bytes: the held prefix does not match, nothing wrong is committed."""
    fake, url = fake_drive
    changed = bytes(reversed(DATA))

    async def run() -> None:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        provider.keep_state_in(tmp_path)
        await provider.write("f.bin", _blocks(b"old"), mtime_ns=MTIME)
        with pytest.raises(ConnectionResetError):
            await provider.write("f.bin", _cut_after(DATA, 6 * CHUNK), mtime_ns=MTIME)
        stale = _open_sessions(fake)
        with pytest.raises(IntegrityError, match="changed since an earlier run"):
            await provider.write("f.bin", _blocks(changed), mtime_ns=MTIME)
        assert b"".join([b async for b in provider.open_read("f.bin")]) == b"old"
        assert not stale & _open_sessions(fake)  # the stale session was cancelled
        written = await provider.write("f.bin", _blocks(changed), mtime_ns=MTIME)  # anew
        assert written.hashes["sha1"] == hashlib.sha1(changed).hexdigest()
        assert b"".join([b async for b in provider.open_read("f.bin")]) == changed
        await provider.aclose()

    asyncio.run(run())


def test_a_session_for_an_older_mtime_is_cancelled_and_started_anew(
    fake_drive: tuple[FakeDrive, str], tmp_path: Path
) -> None:
    fake, url = fake_drive

    async def run() -> None:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        provider.keep_state_in(tmp_path)
        with pytest.raises(ConnectionResetError):
            await provider.write("f.bin", _cut_after(DATA, 6 * CHUNK), mtime_ns=MTIME)
        stale = _open_sessions(fake)
        before = fake.session_bytes
        await provider.write("f.bin", _blocks(DATA[::-1]), mtime_ns=MTIME + 10**9)
        assert fake.session_bytes - before == len(DATA)  # every byte sent again
        assert not stale & _open_sessions(fake)
        assert b"".join([b async for b in provider.open_read("f.bin")]) == DATA[::-1]
        await provider.aclose()

    asyncio.run(run())


def test_without_state_a_failed_upload_cancels_its_session(
    fake_drive: tuple[FakeDrive, str],
) -> None:
    fake, url = fake_drive

    async def run() -> None:
        provider = DriveProvider(_settings(url, await _fresh_root(url)))
        before = _open_sessions(fake)
        with pytest.raises(ConnectionResetError):
            await provider.write("f.bin", _cut_after(DATA, 3 * CHUNK), mtime_ns=MTIME)
        assert _open_sessions(fake) <= before
        await provider.aclose()

    asyncio.run(run())
