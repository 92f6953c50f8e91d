"""Listing a bucket prefix by prefix, several at a time.

Why: S3 has no changes feed, so every refresh lists every key. One flat ListObjectsV2 walk
asks for its pages one after another (each needs the token the previous one returned), and a
server backed by a file tree may walk the whole tree again for each page: through
``rclone serve s3``, a flat listing of 100,000 keys took 10.1 s where ``rclone lsf -R``,
which lists folder by folder with 8 at a time, took 3.3 s (bench/catalog_search.py). S3 itself
serves requests under different prefixes side by side.

How: the walk lists the top of the tree with delimiter ``/`` (its files, and its folders as
``CommonPrefixes``), splits those prefixes once more while there are fewer of them than
workers (a bucket holding one ``Documents/`` folder), then lists each remaining prefix flat,
``concurrency`` requests at a time. A flat listing per prefix keeps the request count near one
per page of keys on a deep tree (a delimiter walk of every folder would ask once per folder).
Pages are handed over as they arrive, in no set order (the contract's listing is unordered);
a prefix the caller prunes is never listed.

Inside one prefix: a listing whose page is cut short (more keys follow) while fewer than
``concurrency`` listings run splits the rest of its key range at a guessed key
(``key_ranges.split_point``): it goes on up to that key, and a new listing starts after it
(``StartAfter``). Each new page may split again while workers are idle, so one folder of
100,000 keys is read by several listings at once, not by one chain of continuation tokens.
Each listing keeps only what lies in its own range (``key_ranges.KeyRange``), which is what
makes the whole exact: no key is read twice, none present throughout is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from syncoxide.native.providers.s3.key_ranges import (
    KeyRange,
    alphabet_of,
    ceiling_of,
    split_point,
)
from syncoxide.native.providers.s3.lean_list import ListedObject, ListPage, PageAsk

PageLister = Callable[[PageAsk], Awaitable[ListPage]]
#: Levels of delimiter listings at most before listing flat (a tree thinner than the number
#: of workers this deep is listed flat from there).
MAX_SPLITS = 3
_DONE = object()
_KEY = itemgetter(0)  # a ListedObject's key


def _same(text: str) -> str:
    return text


async def walk_prefixes(
    list_page: PageLister,
    root: str,
    *,
    concurrency: int,
    skip: Callable[[str], bool],
) -> AsyncGenerator[list[ListedObject], None]:
    """Pages of objects of every key under ``root``;
    ``skip(prefix)`` says a folder's prefix is pruned. The first error ends the walk."""
    pages: asyncio.Queue[object] = asyncio.Queue(maxsize=2 * concurrency)
    walk = _Walk(list_page, skip, concurrency, pages)
    producer = asyncio.ensure_future(walk.run(root))
    try:
        while (page := await pages.get()) is not _DONE:
            if isinstance(page, BaseException):
                raise page
            assert isinstance(page, list)
            yield page
    finally:
        producer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await producer


@dataclass
class _Part:
    """One listing of a prefix's key range; ``below`` gathers the folders one level down
    (with a delimiter), shared by every part of the prefix."""

    prefix: str
    delimiter: str
    keys: KeyRange
    below: list[str]


class _Walk:
    def __init__(
        self,
        list_page: PageLister,
        skip: Callable[[str], bool],
        concurrency: int,
        pages: asyncio.Queue[object],
    ) -> None:
        self._list_page, self._skip, self._pages = list_page, skip, pages
        self._concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        #: Listings started and not yet finished (waiting for a slot or not).
        self._listings = 0
        #: Off once a server is seen to ignore StartAfter (still exact, but no faster).
        self._splitting = True
        #: Keys a page handed over ahead of their place (past the page's last one).
        self._early: set[str] = set()

    async def run(self, root: str) -> None:
        try:
            await self._walk(root)
        except* Exception as group:
            await self._pages.put(_first(group))
        else:
            await self._pages.put(_DONE)

    async def _walk(self, root: str) -> None:
        level = [root]
        for _ in range(MAX_SPLITS):
            level = [prefix for found in await self._each(level, "/") for prefix in found]
            if len(level) >= self._concurrency:
                break
        await self._each(level, "")

    async def _each(self, prefixes: list[str], delimiter: str) -> list[list[str]]:
        """Every page under each prefix; the prefixes one level down (with a delimiter)."""
        if not prefixes:
            return []
        async with asyncio.TaskGroup() as group:
            parts = [_Part(prefix, delimiter, KeyRange(), []) for prefix in prefixes]
            for part in parts:
                self._start(group, part)
        return [part.below for part in parts]

    def _start(self, group: asyncio.TaskGroup, part: _Part) -> None:
        self._listings += 1
        group.create_task(self._every_page(group, part))

    async def _every_page(self, group: asyncio.TaskGroup, part: _Part) -> None:
        token = ""
        try:
            while True:
                ask = PageAsk(part.prefix, part.delimiter, token, "" if token else part.keys.after)
                async with self._slots:
                    page = await self._list_page(ask)
                contents = self._once(part.keys.cut(page.contents, _KEY), _last_item(page))
                if contents:
                    await self._pages.put(contents)
                below = part.keys.cut(page.prefixes, _same)
                part.below.extend(found for found in below if not self._skip(found))
                if ask.start_after and _first_item(page) <= ask.start_after:
                    self._splitting = False  # the server ignored StartAfter
                last = _last_item(page)
                until = part.keys.until
                if not page.next_token or (until is not None and last > until):
                    return  # the end of the prefix, or past the end of this part's range
                token = page.next_token
                self._split(group, part, page, last)
        finally:
            self._listings -= 1

    def _once(self, contents: Sequence[ListedObject], last: str) -> Sequence[ListedObject]:
        """``contents`` less the keys already handed over ahead of their place. A key past
        the page's ``last`` (the server's order ends there: its next page starts after it) is
        one the server gave early, out of order; the range that holds it will list it again
        at its place, so it is remembered and dropped then. Only such keys are kept."""
        early = self._early
        kept = [item for item in contents if item.key not in early] if early else contents
        early.update(item.key for item in kept if item.key > last)
        return kept

    def _split(self, group: asyncio.TaskGroup, part: _Part, page: ListPage, last: str) -> None:
        """While fewer listings run than workers, the rest of ``part``'s range past ``last``
        is split: ``part`` goes on up to a guessed key, a new listing starts after it."""
        if not self._splitting or self._listings >= self._concurrency:
            return
        seen = [item.key for item in page.contents] + page.prefixes
        alphabet = alphabet_of(seen, len(part.prefix))
        until = part.keys.until
        ceiling = until or ceiling_of(_first_item(page), last, part.prefix, alphabet)
        middle = split_point(last, ceiling, alphabet)
        if middle is None:
            return
        part.keys = KeyRange(part.keys.after, middle)
        self._start(group, _Part(part.prefix, part.delimiter, KeyRange(middle, until), part.below))


def _first_item(page: ListPage) -> str:
    """The least key or folder prefix of a page ("" for an empty one)."""
    firsts = [items[0] for items in ([c.key for c in page.contents[:1]], page.prefixes) if items]
    return min(firsts, default="")


def _last_item(page: ListPage) -> str:
    """The greatest key or folder prefix of a page ("" for an empty one)."""
    lasts = [items[-1] for items in ([c.key for c in page.contents[-1:]], page.prefixes) if items]
    return max(lasts, default="")


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first error of a task group (groups nest when task groups do)."""
    error: Exception | BaseExceptionGroup[Exception] = group.exceptions[0]
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
