"""The storage change feed: tokens, paths since a token, unknown pasts, waiting (a wait ends
at the first change, or when the client leaves), and positions heard out of order or not at all
(another instance's changes, on a bus that delivers at most once)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request

from syncoxide.server.files import change_feed
from syncoxide.server.files.change_feed import KEPT_PATHS, ChangesSince, StorageChangeFeed
from syncoxide.server.files.change_positions import ProcessPositions
from syncoxide.server.files.changes import MOVED, OPENED, WRITTEN, ChangeFanout, FileChange
from syncoxide.server.files.changes_api import unless_client_leaves


def _numbered() -> tuple[ChangeFanout, StorageChangeFeed]:
    """A file service's changes, numbered, and the feed that hears them (as app.py wires)."""
    changes = ChangeFanout()
    changes.positions = ProcessPositions()
    feed = StorageChangeFeed(changes.positions)
    changes.listen(feed.notice, everywhere=True)
    return changes, feed


def test_paths_since_a_token() -> None:
    changes, feed = _numbered()
    start = feed.token(1)
    assert start == f"{feed.positions.era}:0"
    changes.tell(FileChange(1, WRITTEN, "a/x.txt"))
    changes.tell(FileChange(1, OPENED, "a/x.txt"))  # a read changes nothing
    changes.tell(FileChange(1, MOVED, "b/y.txt", "a/y.txt"))
    changes.tell(FileChange(2, WRITTEN, "someone/else.txt"))
    changed = asyncio.run(feed.since(1, start))
    assert changed.paths == ["a/x.txt", "a/y.txt", "b/y.txt"]
    assert changed.token == f"{feed.positions.era}:3"
    assert asyncio.run(feed.since(1, changed.token)).paths == []
    assert asyncio.run(feed.since(2, changed.token)).paths == []
    assert asyncio.run(feed.since(2, start)).paths == ["someone/else.txt"]


def test_an_unknown_past_means_look_at_everything() -> None:
    changes, feed = _numbered()
    era = feed.positions.era
    assert asyncio.run(feed.since(1, "boot1:0")).paths == [""]  # before a restart
    assert asyncio.run(feed.since(1, f"{era}:7")).paths == [""]  # no change took it
    assert asyncio.run(feed.since(1, "nonsense")).paths == [""]
    assert asyncio.run(feed.since(1, f"{era}:-1")).paths == [""]
    start = feed.token(1)
    for number in range(KEPT_PATHS + 5):
        changes.tell(FileChange(1, WRITTEN, f"f{number}"))
    assert asyncio.run(feed.since(1, start)).paths == [""]  # older than what is kept
    recent = f"{era}:{KEPT_PATHS + 5 - 3}"
    assert asyncio.run(feed.since(1, recent)).paths == [f"f{KEPT_PATHS + n}" for n in (2, 3, 4)]


def test_a_change_without_a_position_means_look_at_everything() -> None:
    changes, feed = _numbered()
    start = feed.token(1)
    feed.notice(FileChange(1, WRITTEN, "x.txt"))  # its position could not be taken
    assert asyncio.run(feed.since(1, start)).paths == [""]
    after = feed.token(1)
    changes.tell(FileChange(1, WRITTEN, "y.txt"))
    assert asyncio.run(feed.since(1, after)).paths == ["y.txt"]


def test_positions_out_of_order_are_answered_once_unbroken() -> None:
    """Two instances publish side by side: the later position may arrive first."""
    positions = ProcessPositions()
    feed = StorageChangeFeed(positions)
    start = feed.token(1)
    first = FileChange(1, WRITTEN, "first.txt", position=positions.take())
    second = FileChange(1, WRITTEN, "second.txt", position=positions.take())
    feed.notice(second)
    assert asyncio.run(feed.since(1, start)) == ChangesSince(start, [])  # waits for the first
    feed.notice(first)
    answer = asyncio.run(feed.since(1, start))
    assert answer.paths == ["first.txt", "second.txt"] and answer.token.endswith(":2")
    feed.notice(first)  # heard again: nothing more
    assert asyncio.run(feed.since(1, answer.token)).paths == []


def test_a_position_that_never_comes_is_given_up_as_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(change_feed, "GAP_PATIENCE", 0.2)
    positions = ProcessPositions()
    feed = StorageChangeFeed(positions)
    start = feed.token(1)
    positions.take()  # taken by an instance that died before telling anyone
    later = FileChange(1, WRITTEN, "later.txt", position=positions.take())

    async def scenario() -> tuple[ChangesSince, float]:
        loop = asyncio.get_running_loop()
        feed.notice(later)
        started = loop.time()
        answer = await feed.since(1, start, wait=10)
        return answer, loop.time() - started

    answer, seconds = asyncio.run(scenario())
    assert answer.paths == [""] and 0.15 < seconds < 2  # a gap before it: look at everything
    assert asyncio.run(feed.since(1, f"{positions.era}:1")).paths == ["later.txt"]
    assert answer.token == f"{positions.era}:2"


def test_a_lost_last_change_is_found_by_a_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """No later message shows the gap: the database says the position was taken."""
    monkeypatch.setattr(change_feed, "GAP_PATIENCE", 0.2)
    positions = ProcessPositions()
    feed = StorageChangeFeed(positions)
    start = feed.token(1)
    positions.take()  # its message was lost on the bus, and nothing came after it

    async def scenario() -> tuple[ChangesSince, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        answer = await feed.since(1, start, wait=10)
        return answer, loop.time() - started

    answer, seconds = asyncio.run(scenario())
    assert answer.paths == [""] and 0.15 < seconds < 2
    assert answer.token == f"{positions.era}:1"
    assert asyncio.run(feed.since(1, answer.token)).paths == []


def test_a_token_another_instance_gave_ahead_of_this_one_waits_for_it() -> None:
    positions = ProcessPositions()  # both instances' database
    here, there = StorageChangeFeed(positions), StorageChangeFeed(positions)
    start = here.token(1)
    assert there.token(1) == start  # both up: they will hear what comes next
    change = FileChange(1, WRITTEN, "a.txt", position=positions.take())
    there.notice(change)
    ahead = asyncio.run(there.since(1, start))
    assert ahead.paths == ["a.txt"]
    assert asyncio.run(here.since(1, ahead.token)) == ChangesSince(ahead.token, [])
    here.notice(change)  # the bus brings it here too
    assert asyncio.run(here.since(1, ahead.token)) == ChangesSince(ahead.token, [])
    assert asyncio.run(here.since(1, start)).paths == ["a.txt"]


def test_a_wait_ends_at_the_first_change() -> None:
    changes, feed = _numbered()

    async def scenario() -> tuple[list[str], float]:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, changes.tell, FileChange(1, WRITTEN, "late.txt"))
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
    _, feed = _numbered()

    async def scenario() -> tuple[object, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiting = feed.since(1, feed.token(1), wait=30)
        found = await unless_client_leaves(_request_whose_client_leaves_after(0.2), waiting)
        return found, loop.time() - started

    found, seconds = asyncio.run(scenario())
    assert found is None and 0.15 < seconds < 5


def test_a_long_poll_whose_client_stays_gets_the_change() -> None:
    changes, feed = _numbered()

    async def scenario() -> ChangesSince | None:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, changes.tell, FileChange(1, WRITTEN, "late.txt"))
        waiting = feed.since(1, feed.token(1), wait=10)
        return await unless_client_leaves(_request_whose_client_leaves_after(60), waiting)

    found = asyncio.run(scenario())
    assert found is not None and found.paths == ["late.txt"]
