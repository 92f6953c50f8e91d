"""A refresh compares a large listing page in slices, letting the event loop run other work
(a search, any request) between them instead of waiting for the whole page."""

from __future__ import annotations

import asyncio

from syncoxide.catalog.diff import ListingDiff
from syncoxide.catalog.refresh import DIFF_SLICE, compare_in_slices
from syncoxide.providers.contract import Entry, EntryKind


def test_other_tasks_run_between_the_slices_of_one_page() -> None:
    page = [Entry(f"f/{n:05d}.txt", EntryKind.FILE, 1, n) for n in range(3 * DIFF_SLICE + 7)]
    indexed = {entry.path: ("file", 1, entry.mtime_ns, "") for entry in page[::2]}
    diff = ListingDiff(indexed)
    seen: list[int] = []

    async def watch() -> None:
        while True:
            seen.append(diff.listed)
            await asyncio.sleep(0)

    async def refresh() -> None:
        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0)
        await compare_in_slices(diff, "s3", page, "me")
        watcher.cancel()

    asyncio.run(refresh())
    assert [n for n in seen if 0 < n < len(page)] == [DIFF_SLICE, 2 * DIFF_SLICE, 3 * DIFF_SLICE]
    changes = diff.changes()
    assert len(changes.upserts) == len(page) - len(indexed) and not changes.removals
