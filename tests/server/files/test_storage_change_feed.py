"""The storage change feed: tokens, paths since a token, unknown pasts, and waiting (a wait
ends at the first change, or when the client leaves)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from syncoxide.server.files.change_feed import KEPT_PATHS, ChangesSince, StorageChangeFeed
from syncoxide.server.files.changes import MOVED, OPENED, WRITTEN, FileChange
from syncoxide.server.files.changes_api import unless_client_leaves


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


def _request_whose_client_leaves_after(seconds: float) -> Request:
    """A GET whose connection closes ``seconds`` from now, as the server tells it."""
    body = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, object]:
        if body:
            return body.pop()
        await asyncio.sleep(seconds)
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "GET", "headers": []}, receive)


def test_a_long_poll_ends_when_its_client_leaves() -> None:
    # A stopped watch left its poll waiting up to 30 s, and the server's stop with it.
    feed = StorageChangeFeed("boot4")

    async def scenario() -> tuple[object, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiting = feed.since(1, feed.token(1), wait=30)
        found = await unless_client_leaves(_request_whose_client_leaves_after(0.2), waiting)
        return found, loop.time() - started

    found, seconds = asyncio.run(scenario())
    assert found is None and 0.15 < seconds < 5


def test_a_long_poll_whose_client_stays_gets_the_change() -> None:
    feed = StorageChangeFeed("boot5")

    async def scenario() -> ChangesSince | None:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, feed.notice, FileChange(1, WRITTEN, "late.txt"))
        waiting = feed.since(1, feed.token(1), wait=10)
        return await unless_client_leaves(_request_whose_client_leaves_after(60), waiting)

    found = asyncio.run(scenario())
    assert found is not None and found.paths == ["late.txt"]
