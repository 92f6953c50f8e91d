"""Reading what the planner needs from providers: trees, ``.syncignore``, digests."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from syncoxide.errors import NotFoundError
from syncoxide.providers.contract import Entry, EntryKind, Provider
from syncoxide.sync.filters import FilterSet, Rule, parse_syncignore
from syncoxide.sync.paths import is_reserved

SYNCIGNORE = ".syncignore"
_SYNCIGNORE_LIMIT = 1024 * 1024


async def read_tree(provider: Provider, filters: FilterSet) -> list[Entry]:
    def prune(path: str) -> bool:
        return is_reserved(path) or filters.dir_excluded(path)

    entries: list[Entry] = []
    async for page in provider.list_tree(prune):
        entries.extend(page)
    return entries


async def read_syncignore(provider: Provider) -> list[Rule]:
    try:
        entry = await provider.stat(SYNCIGNORE)
    except NotFoundError:
        return []
    if entry.kind is not EntryKind.FILE or entry.size > _SYNCIGNORE_LIMIT:
        return []
    chunks = [chunk async for chunk in provider.open_read(SYNCIGNORE)]
    return parse_syncignore(b"".join(chunks).decode("utf-8", errors="replace"))


async def add_digests(
    provider: Provider, files: dict[str, Entry], keys: set[str], kind: str, *, width: int
) -> None:
    """Fill ``hashes[kind]`` for the given keys, ``width`` files at a time (for --checksum)."""
    pending = iter(sorted(keys))

    async def worker() -> None:
        for key in pending:
            entry = files[key]
            if kind not in entry.hashes:
                digest = await provider.hash(entry.path, kind)
                files[key] = replace(entry, hashes={**entry.hashes, kind: digest})

    await asyncio.gather(*(worker() for _ in range(max(1, width))))


async def remove_partials(provider: Provider, partials: list[Entry]) -> int:
    """Partial writes left by a killed run: never under a final name, safe to drop."""
    removed = 0
    for entry in partials:
        try:
            await provider.delete(entry.path)
            removed += 1
        except NotFoundError:
            pass
    return removed
