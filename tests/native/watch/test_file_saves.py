"""A save of a watched file wakes its waiter at once; nothing else does."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from syncoxide.native.watch.file_saves import FileSaves

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")


def save(path: Path, text: str) -> None:
    """As the device store saves: a new file renamed over the old one."""
    path.with_suffix(".tmp").write_text(text)
    os.replace(path.with_suffix(".tmp"), path)


def test_a_save_wakes_its_waiter_and_only_its_waiter(tmp_path: Path) -> None:
    async def test() -> None:
        names = ("trust.json", "folders.json")
        async with FileSaves(tmp_path, names, longest=30, poll=30) as saves:
            loop = asyncio.get_running_loop()
            trust = asyncio.create_task(saves.wait("trust.json"))
            folders = asyncio.create_task(saves.wait("folders.json"))
            await asyncio.sleep(0.1)
            (tmp_path / "other.json").write_text("{}")
            start = loop.time()
            save(tmp_path / "trust.json", "{}")
            await asyncio.wait_for(trust, 5)
            assert loop.time() - start < 1
            await asyncio.sleep(0.2)
            assert not folders.done()
            folders.cancel()

    asyncio.run(test())


def test_a_save_while_nobody_waits_is_not_missed(tmp_path: Path) -> None:
    async def test() -> None:
        async with FileSaves(tmp_path, ("folders.json",), longest=30, poll=30) as saves:
            save(tmp_path / "folders.json", "{}")
            await asyncio.sleep(0.2)
            await asyncio.wait_for(saves.wait("folders.json"), 5)

    asyncio.run(test())


def test_with_no_watch_it_looks_every_poll(tmp_path: Path) -> None:
    async def test() -> None:
        async with FileSaves(tmp_path / "missing", ("a.json",), longest=30, poll=0.2) as saves:
            await asyncio.wait_for(saves.wait("a.json"), 5)  # returns after poll seconds

    asyncio.run(test())
