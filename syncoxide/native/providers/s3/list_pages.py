"""Pages of a ListObjectsV2 walk turned into entries.

Folders come from the keys (``FlatWalk``). A file's mtime and digests live in its metadata,
which a listing does not carry: the object memory supplies them for objects unchanged since
they were last seen, and the rest are HEADed, in parallel, and remembered for the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from syncoxide.errors import NotFoundError
from syncoxide.native.providers.s3 import key_names
from syncoxide.native.providers.s3.listing import FlatWalk
from syncoxide.native.providers.s3.object_memory import KnownObject, ObjectMemory
from syncoxide.providers.contract import Entry, EntryKind, PrunePredicate


class PageReader:
    def __init__(
        self,
        prefix: str,
        memory: ObjectMemory,
        head: Callable[[str], Awaitable[Entry]],
        prune: PrunePredicate | None,
    ) -> None:
        self._prefix, self._memory, self._head = prefix, memory, head
        self._walk = FlatWalk(prune)
        self._complete = prune is None
        self._seen: set[str] = set()

    def finish(self) -> None:
        """The walk reached its end: objects the memory holds but the walk did not meet are
        gone (only knowable when nothing was pruned)."""
        if self._complete:
            self._memory.keep_only(self._seen, self._prefix)

    async def entries(self, contents: list[dict[str, Any]], head_concurrency: int) -> list[Entry]:
        """Entries of one page's objects (``Contents``, in botocore's shape)."""
        entries: list[Entry] = []
        unknown: list[tuple[str, dict[str, Any]]] = []
        for item in contents:
            key = item["Key"]
            self._seen.add(key)
            relative = key_names.decode(key[len(self._prefix) :])
            new, keep = self._walk.place(relative)
            entries.extend(Entry(folder, EntryKind.DIR) for folder in new)
            if not keep:
                continue
            known = self._memory.recall(key, item["Size"], _etag(item), _modified(item))
            if known is not None:
                entries.append(known.entry(relative))
            else:
                unknown.append((relative, item))
        return entries + await self._heads(unknown, head_concurrency)

    async def _heads(self, listed: list[tuple[str, dict[str, Any]]], limit: int) -> list[Entry]:
        slots = asyncio.Semaphore(limit)

        async def one(path: str, item: dict[str, Any]) -> Entry | None:
            async with slots:
                try:
                    entry = await self._head(path)
                except NotFoundError:  # deleted between the listing and the HEAD
                    return None
            if entry.size == item["Size"] and _etag(item):  # else it changed since: learn nothing
                modified, hashes = _modified(item), entry.hashes
                known = KnownObject(entry.size, _etag(item), modified, entry.mtime_ns, hashes)
                self._memory.learn(item["Key"], known)
            return entry

        found = await asyncio.gather(*(one(path, item) for path, item in listed))
        return [entry for entry in found if entry is not None]


def _etag(item: dict[str, Any]) -> str:
    return str(item.get("ETag", ""))


def _modified(item: dict[str, Any]) -> str:
    return str(item.get("LastModified", ""))
