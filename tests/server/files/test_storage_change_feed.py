"""The storage change feed: tokens, paths since a token, unknown pasts, and waiting."""

from __future__ import annotations

import asyncio

from syncoxide.server.files.change_feed import KEPT_PATHS, StorageChangeFeed
from syncoxide.server.files.changes import MOVED, OPENED, WRITTEN, FileChange


def test_paths_since_a_token() -> None:
    feed = StorageChangeFeed("boot1")
    start = feed.token(1)
    assert start == "boot1:0"
    feed.notice(FileChange(1, WRITTEN, "a/x.txt"))
    feed.notice(FileChange(1, OPENED, "a/x.txt"))  # a read changes nothing
    feed.notice(FileChange(1, MOVED, "b/y.txt", "a/y.txt"))
    feed.notice(FileChange(2, WRITTEN, "someone/else.txt"))
    changed = asyncio.run(feed.since(1, start))
    assert changed.paths == ["a/x.txt", "a/y.txt", "b/y.txt"]
    assert asyncio.run(feed.since(1, changed.token)).paths == []


def test_an_unknown_past_means_look_at_everything() -> None:
    feed = StorageChangeFeed("boot2")
    assert asyncio.run(feed.since(1, "boot1:0")).paths == [""]  # before a restart
    assert asyncio.run(feed.since(1, "boot2:7")).paths == [""]  # from the future
    assert asyncio.run(feed.since(1, "nonsense")).paths == [""]
    start = feed.token(1)
    for number in range(KEPT_PATHS + 5):
        feed.notice(FileChange(1, WRITTEN, f"f{number}"))
    assert asyncio.run(feed.since(1, start)).paths == [""]  # older than what is kept


def test_a_wait_ends_at_the_first_change() -> None:
    feed = StorageChangeFeed("boot3")

    async def scenario() -> tuple[list[str], float]:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, feed.notice, FileChange(1, WRITTEN, "late.txt"))
        started = loop.time()
        found = await feed.since(1, feed.token(1), wait=10)
        return found.paths, loop.time() - started

    paths, seconds = asyncio.run(scenario())
    assert paths == ["late.txt"] and 0.15 < seconds < 2
