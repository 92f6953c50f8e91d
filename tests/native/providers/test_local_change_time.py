"""The local disk's entries carry the inode change time (``Entry.changed_ns``) from the same
stat as size and mtime: a rewrite that keeps the size and sets the old mtime back moves it,
in a listing and in a stat alike."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.providers.contract import Entry


def listed(provider: LocalProvider) -> dict[str, Entry]:
    async def collect() -> dict[str, Entry]:
        return {e.path: e async for page in provider.list_tree() for e in page}

    return asyncio.run(collect())


def test_a_same_size_edit_with_the_old_mtime_moves_the_listed_change_time(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"one")
    provider = LocalProvider(tmp_path)
    before = listed(provider)["a.bin"]
    assert before.changed_ns == os.stat(path).st_ctime_ns != 0
    time.sleep(0.02)  # past the kernel's coarse timestamp tick
    mtime = os.stat(path).st_mtime_ns
    path.write_bytes(b"two")
    os.utime(path, ns=(mtime, mtime))
    after = listed(provider)["a.bin"]
    assert (after.size, after.mtime_ns, after.file_id) == (
        before.size,
        before.mtime_ns,
        before.file_id,
    )
    assert after.changed_ns > before.changed_ns
    assert asyncio.run(provider.stat("a.bin")).changed_ns == after.changed_ns
