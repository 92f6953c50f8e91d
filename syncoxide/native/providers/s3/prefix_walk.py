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
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable

from syncoxide.native.providers.s3.lean_list import ListedObject, ListPage

#: (prefix, continuation token or "", delimiter or "") -> one page.
PageLister = Callable[[str, str, str], Awaitable[ListPage]]
#: Levels of delimiter listings at most before listing flat (a tree thinner than the number
#: of workers this deep is listed flat from there).
MAX_SPLITS = 3
_DONE = object()


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
    walk = _Walk(list_page, skip, asyncio.Semaphore(concurrency), pages)
    producer = asyncio.ensure_future(walk.run(root, concurrency))
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


class _Walk:
    def __init__(
        self,
        list_page: PageLister,
        skip: Callable[[str], bool],
        slots: asyncio.Semaphore,
        pages: asyncio.Queue[object],
    ) -> None:
        self._list_page, self._skip, self._slots, self._pages = list_page, skip, slots, pages

    async def run(self, root: str, concurrency: int) -> None:
        try:
            await self._walk(root, concurrency)
        except* Exception as group:
            await self._pages.put(_first(group))
        else:
            await self._pages.put(_DONE)

    async def _walk(self, root: str, concurrency: int) -> None:
        level = [root]
        for _ in range(MAX_SPLITS):
            level = [prefix for found in await self._each(level, "/") for prefix in found]
            if len(level) >= concurrency:
                break
        await self._each(level, "")

    async def _each(self, prefixes: list[str], delimiter: str) -> list[list[str]]:
        """Every page under each prefix; the prefixes one level down (with a delimiter)."""
        if not prefixes:
            return []
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._every_page(p, delimiter)) for p in prefixes]
        return [task.result() for task in tasks]

    async def _every_page(self, prefix: str, delimiter: str) -> list[str]:
        below: list[str] = []
        token = ""
        while True:
            async with self._slots:
                page = await self._list_page(prefix, token, delimiter)
            if page.contents:
                await self._pages.put(page.contents)
            below += [found for found in page.prefixes if not self._skip(found)]
            token = page.next_token
            if not token:
                return below


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first error of a task group (groups nest when task groups do)."""
    error: Exception | BaseExceptionGroup[Exception] = group.exceptions[0]
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
