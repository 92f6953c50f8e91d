"""Pages of a ListObjectsV2 walk turned into entries.

Folders come from the keys (``FlatWalk``). A file's mtime and digests live in its metadata,
which a listing does not carry: the object memory supplies them for objects unchanged since
they were last seen, and the rest are HEADed, in parallel, and remembered for the next run.
Without ``head`` (``S3Provider.list_tree_listed``, for a caller that GETs every file and takes
its stat from the reply) the rest are taken as listed: LastModified as their mtime, no digests;
``unheaded`` keeps what the listing said of them, so each GET can teach the memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from syncoxide.errors import NotFoundError
from syncoxide.native.providers.s3 import key_names
from syncoxide.native.providers.s3.lean_list import ListedObject
from syncoxide.native.providers.s3.listing import FlatWalk
from syncoxide.native.providers.s3.object_memory import KnownObject, ObjectMemory
from syncoxide.providers.contract import Entry, EntryKind, PrunePredicate


class PageReader:
    def __init__(
        self,
        prefix: str,
        memory: ObjectMemory,
        head: Callable[[str], Awaitable[Entry]] | None,
        prune: PrunePredicate | None,
    ) -> None:
        self._prefix, self._memory, self._head = prefix, memory, head
        self._walk = FlatWalk(prune)
        self._complete = prune is None
        self._seen: set[str] = set()
        #: Without ``head``: key -> the listing's object, for those the memory did not know.
        self.unheaded: dict[str, ListedObject] = {}

    def finish(self) -> None:
        """The walk reached its end: objects the memory holds but the walk did not meet are
        gone (only knowable when nothing was pruned)."""
        if self._complete:
            self._memory.keep_only(self._seen, self._prefix)

    async def entries(self, contents: list[ListedObject], head_concurrency: int) -> list[Entry]:
        """Entries of one page's objects."""
        entries: list[Entry] = []
        unknown: list[tuple[str, ListedObject]] = []
        cut, seen, place, recall = (
            len(self._prefix),
            self._seen,
            self._walk.place,
            self._memory.recall,
        )
        for item in contents:
            key = item.key
            seen.add(key)
            relative = key_names.decode(key[cut:])
            new, keep = place(relative)
            if new:
                entries.extend(Entry(folder, EntryKind.DIR) for folder in new)
            if not keep:
                continue
            known = recall(key, item.size, item.etag, item.last_modified)
            if known is not None:
                entries.append(known.entry(relative))
            else:
                unknown.append((relative, item))
        if self._head is None:
            self.unheaded.update((item.key, item) for _, item in unknown)
            return entries + [_as_listed(path, item) for path, item in unknown]
        return entries + await self._heads(self._head, unknown, head_concurrency)

    async def _heads(
        self,
        head: Callable[[str], Awaitable[Entry]],
        listed: list[tuple[str, ListedObject]],
        limit: int,
    ) -> list[Entry]:
        slots = asyncio.Semaphore(limit)

        async def one(path: str, item: ListedObject) -> Entry | None:
            async with slots:
                try:
                    entry = await head(path)
                except NotFoundError:  # deleted between the listing and the HEAD
                    return None
            if entry.size == item.size and item.etag:  # else it changed since: learn nothing
                known = KnownObject(
                    entry.size, item.etag, item.last_modified, entry.mtime_ns, entry.hashes
                )
                self._memory.learn(item.key, known)
            return entry

        found = await asyncio.gather(*(one(path, item) for path, item in listed))
        return [entry for entry in found if entry is not None]


def _as_listed(path: str, item: ListedObject) -> Entry:
    modified = datetime.fromisoformat(item.last_modified).timestamp()
    return Entry(path, EntryKind.FILE, item.size, int(modified) * 10**9, etag=item.etag.strip('"'))
