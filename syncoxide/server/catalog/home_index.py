"""The index of the server's own storage (source ``home``), kept equal to the file store.

Indexed on write: ``FileService`` tells every committed change, which is queued here and
written to the index a moment later (``settle``, also run before any read, so a search right
after an upload finds it). A refresh asks the storage change feed (files/change_feed.py) what
changed since the last refresh and rechecks those paths alone; it lists everything only when
the feed cannot say (the first refresh, one after a server restart, which also catches changes
queued in memory when the server stopped, or more changes than the feed keeps). The activity
log behind Recent is written here too, from the same changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable

from syncoxide.catalog.diff import IndexChanges, diff_listing
from syncoxide.catalog.model import HOME, CatalogEntry, from_listing
from syncoxide.catalog.port import Activity, CatalogStore, SourceState
from syncoxide.catalog.refresh import FEED_PATHS, FEED_QUIET, RefreshReport, refresh_source
from syncoxide.errors import SyncoxideError
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.changes import MOVED, OPENED, RESTORED, WRITTEN, FileChange
from syncoxide.server.files.provider import PAGE, OwnFilesProvider
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import DIR, FILE, FileStore, StoredEntry, parents_of

log = logging.getLogger("syncoxide.server.catalog")


class HomeIndex:
    """The ``home`` part of the index: on-write updates and refreshes from the change feed."""

    def __init__(
        self, store: CatalogStore, clock: Callable[[], int], files: FileService | None
    ) -> None:
        self.store = store
        self.clock = clock
        self.files = files
        self._pending: deque[FileChange] = deque()
        self._draining: asyncio.Task[None] | None = None
        self._settling = asyncio.Lock()

    def queue(self, change: FileChange) -> None:
        """Take one committed change, to be written to the index a moment later."""
        self._pending.append(change)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a CLI command): the next read settles it
        if self._draining is None or self._draining.done():
            self._draining = loop.create_task(self.settle())

    async def settle(self) -> None:
        """Write every queued change to the index, in the order they happened."""
        async with self._settling:
            while self._pending:
                change = self._pending[0]
                try:
                    await self._apply(change)
                except SyncoxideError as error:  # gone again before we looked: the next follows
                    log.info("catalog: %s %s: %s", change.what, change.path, error)
                # Taken off only once applied: a cancelled settle leaves it for the next one.
                self._pending.popleft()

    async def _apply(self, change: FileChange) -> None:
        user = change.user_id
        if change.what == MOVED:
            await self.store.move_subtree(user, HOME, change.before, change.path)
            await self._reconcile(user, change.before)
        if change.what != OPENED:
            await self._reconcile(user, change.path)
        action = _activity(change)
        if action:
            await self.store.record(user, Activity(HOME, change.path, action, self.clock()))

    async def _reconcile(self, user_id: int, path: str) -> IndexChanges:
        """Make the index of ``path``, its subtree and its parents equal the store *now*.

        Changes are applied a moment after they happen, so the store may already be further
        on (the file written then moved away); comparing with its present state, rather than
        replaying the change, converges whatever came in between."""
        assert self.files is not None
        store = self.files.store
        present = [e for e in (store.get(user_id, p) for p in parents_of(path)) if e]
        found = store.get(user_id, path)
        if found is not None:
            present.append(found)
            if found.kind == DIR:
                present += _subtree(store, user_id, path)
        listed = [_home_entry(stored) for stored in present]
        indexed = await self.store.fingerprints(user_id, HOME, under=path)
        for parent in parents_of(path):
            before = await self.store.entry(user_id, HOME, parent)
            if before is not None:
                indexed[parent] = before.fingerprint
        changes = diff_listing(indexed, listed)
        if changes:
            await self.store.apply(user_id, HOME, changes)
        return changes

    async def refresh(self, user_id: int, feed: StorageChangeFeed) -> RefreshReport:
        """Recheck only what the storage change feed names; list everything when it cannot
        say (no position yet, a restart since, or more changes than it keeps)."""
        assert self.files is not None
        state = await self.store.source_state(user_id, HOME)
        since = await feed.since(user_id, state.feed_position) if state else None
        if since is None or since.paths == [""]:
            position = since.token if since else feed.token(user_id)  # taken before listing
            provider = OwnFilesProvider(self.files, user_id)
            report = await refresh_source(self.store, user_id, HOME, provider, now=self.clock())
            await self.store.save_source_state(user_id, SourceState(HOME, position, self.clock()))
            return report
        upserts = removals = 0
        for path in since.paths:  # both ends of a move are named
            done = await self._reconcile(user_id, path)
            upserts, removals = upserts + len(done.upserts), removals + len(done.removals)
        await self.store.save_source_state(user_id, SourceState(HOME, since.token, self.clock()))
        return RefreshReport(HOME, FEED_PATHS if since.paths else FEED_QUIET, upserts, removals)


def _activity(change: FileChange) -> str:
    if change.what == WRITTEN:
        return "changed" if change.before else "created"
    return {MOVED: "moved", OPENED: "opened", RESTORED: "restored"}.get(change.what, "")


def _subtree(store: FileStore, user_id: int, folder: str) -> list[StoredEntry]:
    entries: list[StoredEntry] = []
    while page := store.listing(
        user_id, folder, after=entries[-1].path if entries else "", limit=PAGE, recursive=True
    ):
        entries += page
    return entries


def _home_entry(stored: StoredEntry) -> CatalogEntry:
    if stored.kind == FILE:
        hashes = {"sha1": stored.sha1, "sha256": stored.sha256}
        listed = Entry(stored.path, EntryKind.FILE, stored.size, stored.mtime_ns, hashes)
    else:
        listed = Entry(stored.path, EntryKind.DIR)
    entry = from_listing(HOME, listed)
    assert entry is not None
    return entry
