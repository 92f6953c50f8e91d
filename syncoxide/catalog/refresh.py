"""Bringing one source's part of the index up to date.

With a changes feed (Drive's changes, Dropbox's list_folder cursor) a refresh first asks the
feed: nothing changed since the last position means no listing at all. Otherwise, and for
providers without a feed (S3, WebDAV, SFTP), the source is listed and only the difference is
written (``diff``), so an unchanged tree costs one listing and no writes. The feed position is
taken *before* listing, so a change made while listing shows up at the next refresh.

The index's fingerprints are read before the listing starts and each page is compared as it
arrives, so the comparison runs while later pages are still on their way, and only changed
entries are ever built. A change the index took in the meantime (a write to ``home:``
indexed as it happened) is either listed, and compared, or not, and left for the next
refresh: the same as when the index was read after the listing.
"""

from __future__ import annotations

import types
from collections.abc import Generator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from syncoxide.catalog.diff import ListingDiff
from syncoxide.catalog.model import CatalogEntry, from_listing
from syncoxide.catalog.port import CatalogIndex, SourceState
from syncoxide.providers.contract import Entry, Provider

#: How a refresh learnt what changed: a full listing, a feed saying "nothing", or a feed
#: naming the changed paths (only those were looked at).
LISTED, FEED_QUIET, FEED_PATHS = "listed", "feed-quiet", "feed-paths"
#: Listed entries compared in one go before the event loop runs other work again: ~1 ms of
#: the loop at ~1 us an entry (``ListingDiff.add_listed``), so a search or any request waits
#: that long at most for a refresh's comparison, not the whole page.
DIFF_SLICE = 1_000


@runtime_checkable
class ChangesFeed(Protocol):
    """A provider that can say what changed since a position (Drive, Dropbox)."""

    async def changes_token(self) -> str: ...
    async def changes(self, token: str) -> tuple[list[str], str]: ...


@dataclass(frozen=True)
class RefreshReport:
    source: str
    how: str
    upserts: int = 0
    removals: int = 0
    entries: int = 0


async def compare_in_slices(diff: ListingDiff, source: str, page: list[Entry], owner: str) -> None:
    """Compare ``page`` ``DIFF_SLICE`` entries at a time, letting the event loop run others
    between slices: a listing page can be 1,000 entries or a whole 100,000-key prefix."""
    for start in range(0, len(page), DIFF_SLICE):
        diff.add_listed(source, page[start : start + DIFF_SLICE], owner)
        await _pass_turn()


@types.coroutine
def _pass_turn() -> Generator[None, None, None]:
    """Give the event loop a turn, as ``asyncio.sleep(0)`` does with its bare ``yield``: the
    core imports no event loop (it runs under asyncio on CPython and in Pyodide alike)."""
    yield


async def listed_entries(source: str, provider: Provider, owner: str) -> list[CatalogEntry]:
    found: list[CatalogEntry] = []
    async for page in provider.list_tree():
        for listed in page:
            entry = from_listing(source, listed, owner)
            if entry is not None:
                found.append(entry)
    return found


async def refresh_source(
    index: CatalogIndex,
    user_id: int,
    source: str,
    provider: Provider,
    *,
    now: int,
    owner: str = "",
) -> RefreshReport:
    state = await index.source_state(user_id, source)
    feed = provider if isinstance(provider, ChangesFeed) else None
    position = ""
    if feed is not None and state is not None and state.feed_position:
        changed, position = await feed.changes(state.feed_position)
        if not changed:
            await index.save_source_state(user_id, SourceState(source, position, now))
            return RefreshReport(source, FEED_QUIET)
    elif feed is not None:
        position = await feed.changes_token()
    diff = ListingDiff(await index.fingerprints(user_id, source))
    async for page in provider.list_tree():
        await compare_in_slices(diff, source, page, owner)
    changes = diff.changes()
    if changes:
        await index.apply(user_id, source, changes)
    await index.save_source_state(user_id, SourceState(source, position, now))
    return RefreshReport(source, LISTED, len(changes.upserts), len(changes.removals), diff.listed)
