"""Listing one prefix in key ranges side by side: every key exactly once on rclone serve s3 and
moto, with awkward keys (non-ASCII, '/', '%', '+', a leading '/'), pages small enough that the
walk splits again and again; exact for what it saw while keys are added and removed mid-walk,
and when a server ignores StartAfter. The split-point guess is checked on its own."""

from __future__ import annotations

import asyncio
import functools
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import pytest

from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.s3.key_ranges import KeyRange, alphabet_of, split_point
from syncoxide.native.providers.s3.lean import HeadSigner
from syncoxide.native.providers.s3.lean_list import ListPage, PageAsk, lean_list_page
from syncoxide.native.providers.s3.prefix_walk import walk_prefixes
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server, s3_client

Lister = Callable[[PageAsk], Awaitable[ListPage]]
AWKWARD = ("ünï/é ü.txt", "日本/ファイル 1.txt", "a b+c%20d.txt", "100%+.txt", "x&y<z>.txt",
           "deep/er/still/one.txt", "😀.txt", "~tilde", "Zed", "0")  # fmt: skip


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_s3")
    return server


def _keys(server: S3Server, root: str) -> list[str]:
    """One big folder (``big/``) of numbered and awkward names, some folders beside it, and on
    moto a key under the root that starts with '/' (rclone serve s3 stores keys as files, and
    a path segment cannot be empty there)."""
    chance = random.Random(18)
    big = [f"big/{chance.choice(AWKWARD)} {number:04d}" for number in range(260)]
    nested = [f"{name}/{n}" for name in ("ä", "b+", "c%", "d d") for n in range(9)]
    leading = ["/lead.txt", "/lead/two.txt"] if server.name == "moto" else []
    return [root + key for key in (*big, *nested, *AWKWARD, *leading)]


@asynccontextmanager
async def _bucket(server: S3Server, keys: list[str]) -> AsyncIterator[Any]:
    async with s3_client(server.endpoint) as client:
        bucket = server.bucket
        await asyncio.gather(*(client.put_object(Bucket=bucket, Key=k, Body=b"k") for k in keys))
        yield client


@asynccontextmanager
async def _lister(server: S3Server, page_keys: int) -> AsyncIterator[Lister]:
    signer = HeadSigner(server.endpoint, "us-east-1", ACCESS_KEY, SECRET_KEY)
    async with HttpPool(server.endpoint, limit=8, timeouts=(10, 60)) as session:
        page = functools.partial(lean_list_page, session, signer, server.bucket, max_keys=page_keys)

        async def listing(ask: PageAsk) -> ListPage:
            # moto may answer 500 to a listing while another thread deletes a key it is
            # reading (its log: KeyError in moto/s3/utils.py); the provider hands such a reply
            # to botocore, which asks again after a growing pause, and so does this lister:
            # asked again at once, 2 runs in 30 still met the churn's deletes 4 times in a row
            # on a loaded machine (load average 14 on 2 cores).
            for attempt in range(5):
                try:
                    return await page(ask)
                except LookupError as error:
                    if not (isinstance(error.args[0], int) and error.args[0] >= 500):
                        raise
                await asyncio.sleep(0.1 * 2**attempt)  # 0.1 s up to 1.6 s, as botocore's
            return await page(ask)

        yield listing


#: Time limits well past a run's few seconds, so a stall fails the churn test fast and names
#: its side: botocore's client (aiobotocore on aiohttp) waits for one of its 10 connections
#: with no time limit and retries a stalled read 4 times at 60 s each, so a stall on its side
#: idled the test until pytest's 300 s timeout, looking like a hang of the walk.
CHURN_LIMIT, WALK_LIMIT = 60, 120


@asynccontextmanager
async def _held_to(seconds: float, what: str) -> AsyncIterator[None]:
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as error:
        raise AssertionError(f"{what} did not finish in {seconds} s") from error


async def _walk(lister: Lister, root: str, workers: int) -> Counter[str]:
    pages = walk_prefixes(lister, root, concurrency=workers, skip=lambda _: False)
    return Counter([item.key async for page in pages for item in page])


@pytest.mark.parametrize("workers", [2, 8])
def test_a_split_walk_lists_every_key_once(s3_server: S3Server, workers: int) -> None:
    root = f"ranges-{uuid.uuid4().hex[:8]}/"
    keys = _keys(s3_server, root)
    asked: list[PageAsk] = []

    async def run() -> Counter[str]:
        async with _bucket(s3_server, keys), _lister(s3_server, 7) as lister:

            async def counting(ask: PageAsk) -> ListPage:
                asked.append(ask)
                return await lister(ask)

            return await _walk(counting, root, workers)

    listed = asyncio.run(run())
    assert [key for key, times in listed.items() if times > 1] == []
    assert set(listed) == set(keys)
    assert any(ask.start_after for ask in asked), "the walk never split a range"


def test_keys_added_and_removed_mid_walk_are_listed_at_most_once(s3_server: S3Server) -> None:
    """Every key present throughout is listed, none twice, nothing that never existed."""
    root = f"churn-{uuid.uuid4().hex[:8]}/"
    keys = _keys(s3_server, root)
    chance = random.Random(5)
    removed = set(chance.sample(keys, 40))
    added = {f"{root}big/{chance.choice(AWKWARD)} new {n}" for n in range(40)}

    async def run() -> Counter[str]:
        async with _bucket(s3_server, keys) as client, _lister(s3_server, 7) as lister:
            calls = 0

            async def churning(ask: PageAsk) -> ListPage:
                nonlocal calls
                calls += 1
                if calls == 6:  # a few ranges are under way by now
                    bucket = s3_server.bucket
                    async with _held_to(CHURN_LIMIT, "the test's own botocore requests"):
                        await asyncio.gather(
                            *(client.delete_object(Bucket=bucket, Key=k) for k in removed),
                            *(client.put_object(Bucket=bucket, Key=k, Body=b"n") for k in added),
                        )
                return await lister(ask)

            async with _held_to(WALK_LIMIT, "the walk through HttpPool"):
                return await _walk(churning, root, 8)

    listed = asyncio.run(run())
    assert [key for key, times in listed.items() if times > 1] == []
    assert set(keys) - removed <= set(listed)
    assert set(listed) <= set(keys) | added


def test_a_key_a_page_hands_over_ahead_of_its_place_is_listed_once(s3_server: S3Server) -> None:
    """rclone serve s3 was seen to put keys added mid-walk at the front of a page, out of
    order (its page after ``x&y<z>.txt 0123`` began with ``😀.txt new 3``), and the walk
    listed such a key again when a later range reached it. Here the greatest key of
    ``big/`` is put at the front of that folder's first page: every key must still come once."""
    root = f"early-{uuid.uuid4().hex[:8]}/"
    keys = _keys(s3_server, root)
    big = root + "big/"
    greatest = max(key for key in keys if key.startswith(big))

    async def run() -> Counter[str]:
        async with _bucket(s3_server, keys), _lister(s3_server, 7) as lister:
            below = max(key for key in keys if key.startswith(big) and key != greatest)
            early = (await lister(PageAsk(big, start_after=below))).contents
            assert [item.key for item in early] == [greatest]

            async def ahead(ask: PageAsk) -> ListPage:
                page = await lister(ask)
                if ask == PageAsk(big):  # the folder's first flat page
                    return replace(page, contents=[*early, *page.contents])
                return page

            return await _walk(ahead, root, 8)

    listed = asyncio.run(run())
    assert [key for key, times in listed.items() if times > 1] == []
    assert set(listed) == set(keys)


def test_a_server_that_ignores_start_after_still_gets_every_key_once(moto_s3: S3Server) -> None:
    root = f"deaf-{uuid.uuid4().hex[:8]}/"
    keys = _keys(moto_s3, root)

    async def run() -> Counter[str]:
        async with _bucket(moto_s3, keys), _lister(moto_s3, 9) as lister:

            async def deaf(ask: PageAsk) -> ListPage:
                return await lister(replace(ask, start_after=""))

            return await _walk(deaf, root, 8)

    listed = asyncio.run(run())
    assert [key for key, times in listed.items() if times > 1] == []
    assert set(listed) == set(keys)


def test_a_split_point_lies_strictly_between_and_near_the_middle() -> None:
    chance = random.Random(7)
    alphabet = alphabet_of([chr(code) for code in range(32, 127)], 0) + "éü日"
    for _ in range(2000):
        low, high = sorted("".join(chance.choice(alphabet) for _ in range(chance.randint(0, 6)))
                           for _ in range(2))  # fmt: skip
        middle = split_point(low, high, alphabet)
        if middle is not None:
            assert low < middle < high
    numbers = [f"file {n:06d}.txt" for n in range(100_000)]
    middle = split_point(numbers[0], numbers[-1], alphabet_of(numbers, 0))
    assert middle is not None
    share = sum(name <= middle for name in numbers) / len(numbers)
    assert 0.4 < share < 0.6, (middle, share)
    assert split_point("same", "same", "aemns") is None
    assert split_point("a", "a\x00", "a\x00") is None


def test_a_key_range_holds_its_upper_bound_and_not_its_lower() -> None:
    part = KeyRange("b", "d")
    assert [k for k in ("a", "b", "b0", "c", "d", "d0") if part.holds(k)] == ["b0", "c", "d"]
    assert list(part.cut(["a", "b", "c", "d", "e"], str)) == ["c", "d"]
    assert list(KeyRange("b").cut(["a", "b", "c"], str)) == ["c"]
    assert list(KeyRange().cut(["a", "b"], str)) == ["a", "b"]
