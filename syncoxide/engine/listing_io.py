"""Reading what the planner needs from providers: trees, ``.syncignore``, digests; and
tidying what a killed run left in them.

Partial writes are dropped. A file a move chain parked under ``.sxpart-park-<token>`` beside
its name (``syncoxide.sync.plan``) is a whole file: a later step of its chain moves it
on, and a run killed in between finishes those steps from its journal before listing. One
still there after that (its new name and its old one both taken since the plan, or the
journal lost) is never dropped: it goes to this run's trash folder as
``<folder>/parked-<token>``, where ``syncoxide trash`` lists it.
"""

from __future__ import annotations

from dataclasses import replace

from syncoxide.errors import NotFoundError
from syncoxide.providers.contract import Entry, EntryKind, Provider
from syncoxide.sync.filters import FilterSet, Rule, parse_syncignore
from syncoxide.sync.paths import is_reserved
from syncoxide.sync.plan import PARK_PREFIX, is_parked

from .moves import move_within
from .side_by_side import gather_or_cancel

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

    # One failed hash (a file gone since listed) ends it: the other workers stop with it.
    await gather_or_cancel(*(worker() for _ in range(max(1, width))))


async def remove_partials(provider: Provider, partials: list[Entry]) -> int:
    """Partial writes left by a killed run: never under a final name, safe to drop. A file a
    move chain parked is a whole file, not a partial write: it is kept (``recover_parked``)."""
    removed = 0
    for entry in partials:
        if is_parked(entry.path):
            continue
        try:
            await provider.delete(entry.path)
            removed += 1
        except NotFoundError:
            pass
    return removed


def parked_files(partials: list[Entry]) -> list[Entry]:
    return [entry for entry in partials if is_parked(entry.path)]


async def recover_parked(
    provider: Provider, parked: list[Entry], trash_root: str, hash_kind: str | None
) -> int:
    """Move each parked file into the trash; the number moved."""
    moved = 0
    for entry in parked:
        folder, slash, name = entry.path.rpartition("/")
        kept = f"{trash_root}/{folder}{slash}parked-{name.removeprefix(PARK_PREFIX)}"
        try:
            await move_within(provider, entry.path, kept, hash_kind)
        except NotFoundError:
            continue
        moved += 1
    return moved
