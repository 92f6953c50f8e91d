"""The catalog service: one index of a user's files across the server's storage and their
connections, what the catalog API and the app ask.

Server storage is indexed on write: ``FileService`` tells every committed change, which is
queued here and written to the index a moment later (``settle``, also run before any read,
so a search right after an upload finds it). A refresh of server storage asks the storage
change feed (files/change_feed.py) what changed since the last refresh and rechecks those
paths alone; it lists everything only when the feed cannot say (the first refresh, one after
a server restart, which also catches changes queued in memory when the server stopped, or
more changes than the feed keeps). Connections are refreshed on request or on a timer
(``refresh``), by changes feed or by listing diff (``syncoxide.catalog.refresh``).
While a source is refreshed, ``coverage`` says so, on every instance (refreshing.py).
The activity log behind Recent holds this user's own actions only. An entry's owner is ""
for the user's own files; files others share with them will carry the sharer's name.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from syncoxide.catalog.diff import IndexChanges, diff_listing
from syncoxide.catalog.model import HOME, CatalogEntry, from_listing
from syncoxide.catalog.port import Activity, CatalogStore, RecentFile, SourceState
from syncoxide.catalog.refresh import (
    FEED_PATHS,
    FEED_QUIET,
    RefreshReport,
    refresh_source,
)
from syncoxide.catalog.search import SearchQuery, parse_search
from syncoxide.errors import NotFoundError, SyncoxideError, UsageError
from syncoxide.providers.contract import Entry, EntryKind, Provider
from syncoxide.server.catalog.refreshing import RefreshMarks
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.changes import MOVED, OPENED, RESTORED, WRITTEN, FileChange
from syncoxide.server.files.provider import PAGE, OwnFilesProvider
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import DIR, FILE, FileStore, StoredEntry, parents_of
from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.server.rules.store import Connection
from syncoxide.server.storage.leases import JobLeases

log = logging.getLogger("syncoxide.server.catalog")
FAILED = "failed"
#: How a source's part of the index stands, for a search to say so (``coverage``).
NEVER, STALE, CURRENT = "never", "stale", "current"
#: A connection read into the index longer ago than this may have changed a lot since: a
#: search says so and offers a refresh. (No timer refreshes connections yet.) The server's
#: default, unless ``[catalog] stale_after_hours`` sets another; each user may set their own,
#: for every connection or for one (``set_staleness``).
STALE_AFTER_SECONDS = 24 * 3600
#: What a user may set: a minute to a year.
STALE_AFTER_RANGE = (60, 366 * 24 * 3600)
#: The key of a user's own default in their staleness settings.
EVERY_SOURCE = ""
MAX_ENTRY_ID = 2**62  # SQLite's integers end at 2**63; anything above is no entry of ours
#: A refresh found another instance refreshing the same source (its lease says so).
REFRESHING_ELSEWHERE = (
    "A refresh of it is already under way on another server instance; the index shows its"
    " result when it ends."
)


@dataclass(frozen=True)
class SourceReport:
    """One source's refresh, or why it failed (the rest still ran)."""

    source: str
    report: RefreshReport | None
    error: str = ""


@dataclass(frozen=True)
class Staleness:
    """After how long each source counts as stale for one user, and where that comes from."""

    server_default: int  # seconds: the server's setting
    own_default: int | None  # the user's own for every connection, if set
    by_source: dict[str, int]  # the user's own for one connection

    def of(self, source: str) -> int:
        found = self.by_source.get(source, self.own_default)
        return self.server_default if found is None else found


@dataclass(frozen=True)
class SourceCoverage:
    """How current one reachable source's part of the index is."""

    source: str
    state: str  # NEVER, STALE or CURRENT
    refreshed_at: int = 0  # when it was last read whole or by its feed (0: never)
    stale_after: int = STALE_AFTER_SECONDS  # seconds after refreshed_at it becomes STALE
    refreshing: bool = False  # a refresh of it is under way now


def _activity(change: FileChange) -> str:
    if change.what == WRITTEN:
        return "changed" if change.before else "created"
    return {MOVED: "moved", OPENED: "opened", RESTORED: "restored"}.get(change.what, "")


class CatalogService:
    def __init__(
        self,
        store: CatalogStore,
        clock: Callable[[], int],
        files: FileService | None = None,
        connections: Connections | None = None,
        *,
        feed: StorageChangeFeed | None = None,
        stale_after: int = STALE_AFTER_SECONDS,
        leases: JobLeases | None = None,
    ) -> None:
        self.store = store
        self.stale_after = stale_after
        self.clock = clock
        self.files = files
        self.connections = connections
        self.feed = feed
        self._pending: deque[FileChange] = deque()
        self._draining: asyncio.Task[None] | None = None
        self._settling = asyncio.Lock()
        self.refreshing = RefreshMarks(leases)
        if files is not None:
            files.changes.listen(self._queue)

    # -- on-write updates for the server's own storage ---------------------------------

    def _queue(self, change: FileChange) -> None:
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

    async def _refresh_home(self, user_id: int, feed: StorageChangeFeed) -> RefreshReport:
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

    # -- refreshing ------------------------------------------------------------------------

    async def refresh(self, user_id: int, only: str = "") -> list[SourceReport]:
        await self.settle()
        reports = []
        for source, open_provider in await self._sources(user_id, only):
            reports.append(await self._refresh_one(user_id, source, open_provider))
        return reports

    async def _sources(self, user_id: int, only: str) -> list[tuple[str, Callable[[], Provider]]]:
        found: list[tuple[str, Callable[[], Provider]]] = []
        files = self.files
        if files is not None and only in ("", HOME):
            found.append((HOME, lambda: OwnFilesProvider(files, user_id)))
        if self.connections is not None:
            connections = self.connections
            for connection in await connections.store.connections(user_id):
                if connection.kind != HOME and only in ("", connection.name):
                    found.append((connection.name, partial(connections.provider, connection, "")))
        if only and not found:
            raise NotFoundError(
                f"You have no provider named {only!r}.",
                hint="Use 'home' for your files on this server, or a connection's name.",
            )
        return found

    async def _refresh_one(
        self, user_id: int, source: str, open_provider: Callable[[], Provider]
    ) -> SourceReport:
        read = partial(self._read_source, user_id, source, open_provider)
        ran, report = await self.refreshing.run(user_id, source, read)
        return report if ran and report else SourceReport(source, None, REFRESHING_ELSEWHERE)

    async def _read_source(
        self, user_id: int, source: str, open_provider: Callable[[], Provider]
    ) -> SourceReport:
        if source == HOME and self.feed is not None:
            try:
                return SourceReport(source, await self._refresh_home(user_id, self.feed))
            except SyncoxideError as error:
                return SourceReport(source, None, str(error))
        try:
            provider = open_provider()
        except SyncoxideError as error:
            return SourceReport(source, None, str(error))
        try:
            report = await refresh_source(self.store, user_id, source, provider, now=self.clock())
            return SourceReport(source, report)
        except SyncoxideError as error:
            return SourceReport(source, None, str(error))
        finally:
            await close_provider(provider)

    async def connection_deleted(self, connection: Connection) -> None:
        """Drop the deleted connection's part of the index: entries, stars, activity, its
        staleness setting and feed position; a new connection of that name starts empty.
        One of kind ``home`` is the server's own storage, indexed as ``home``: kept."""
        if connection.kind != HOME:
            await self.store.drop_source(connection.user_id, connection.name)

    # -- reading ---------------------------------------------------------------------------

    async def search(self, user_id: int, text: str, limit: int) -> Sequence[CatalogEntry]:
        return await self.search_query(user_id, parse_search(text), limit)

    async def search_query(
        self, user_id: int, query: SearchQuery, limit: int
    ) -> Sequence[CatalogEntry]:
        """Matches from the sources the user reaches now: a deleted connection's entries may
        linger in the index, and are never shown."""
        await self.settle()
        reachable = await self.reachable_sources(user_id)
        asked = [s for s in query.sources if s in reachable] if query.sources else reachable
        if not asked:
            return []
        return await self.store.search(user_id, replace(query, sources=tuple(asked)), limit)

    async def reachable_sources(self, user_id: int) -> list[str]:
        """The user's own storage, then each connection by name (one of kind ``home`` is that
        same storage, indexed once as ``home``)."""
        names = [HOME]
        if self.connections is not None:
            listed = await self.connections.store.connections(user_id)
            names += [c.name for c in listed if c.kind != HOME]
        return names

    async def coverage(self, user_id: int) -> list[SourceCoverage]:
        """Each reachable source and whether its part of the index is current.

        The server's own storage is indexed as it is written, so it is always current; a
        connection is indexed only when refreshed: never, or too long ago, is said."""
        refreshed = {s.source: s.refreshed_at for s in await self.store.sources(user_id)}
        staleness = await self.staleness(user_id)
        now = self.clock()
        refreshing = await self.refreshing.sources(user_id)
        found = [SourceCoverage(HOME, CURRENT, refreshed.get(HOME, 0), staleness.of(HOME))]
        for source in (await self.reachable_sources(user_id))[1:]:
            at, limit = refreshed.get(source), staleness.of(source)
            busy = source in refreshing
            if at is None:
                found.append(SourceCoverage(source, NEVER, stale_after=limit, refreshing=busy))
            else:
                state = STALE if now - at > limit else CURRENT
                found.append(SourceCoverage(source, state, at, limit, busy))
        return found

    async def staleness(self, user_id: int) -> Staleness:
        own = await self.store.staleness(user_id)
        own_default = own.pop(EVERY_SOURCE, None)
        return Staleness(self.stale_after, own_default, own)

    async def set_staleness(self, user_id: int, source: str, seconds: int | None) -> Staleness:
        """Set the user's own staleness for one connection, or for every one (``source``
        ''); ``None`` removes it so the next setting up applies again."""
        low, high = STALE_AFTER_RANGE
        if seconds is not None and not low <= seconds <= high:
            raise UsageError(
                f"A staleness of {seconds} seconds is out of range.",
                hint="Give from one minute to a year; nothing was changed.",
            )
        if source == HOME:
            raise UsageError(
                "Your files on this server are indexed as they are written, so they are"
                " never stale.",
                hint="Set it for a connection by name, or for every connection; nothing was"
                " changed.",
            )
        if source != EVERY_SOURCE and source not in await self.reachable_sources(user_id):
            raise NotFoundError(
                f"You have no provider named {source!r}.",
                hint="Use a connection's name, or leave it empty for every connection.",
            )
        await self.store.set_staleness(user_id, source, seconds)
        return await self.staleness(user_id)

    async def children(
        self, user_id: int, source: str, folder: str, *, after: str, limit: int
    ) -> Sequence[CatalogEntry]:
        await self.settle()
        return await self.store.children(user_id, source, folder, after=after, limit=limit)

    async def by_id(self, user_id: int, entry_id: int) -> CatalogEntry:
        """The user's entry with this stable id; NotFoundError for any other (another user's
        entry is as unknown as one that never was)."""
        await self.settle()
        found = None
        if 0 < entry_id <= MAX_ENTRY_ID:
            found = await self.store.entry_by_id(user_id, entry_id)
        if found is None:
            raise NotFoundError(
                f"There is no file or folder {entry_id} in your index.",
                hint="It may have been deleted, or the link is someone else's.",
            )
        return found

    async def recent(self, user_id: int, limit: int) -> Sequence[RecentFile]:
        await self.settle()
        return await self.store.recent(user_id, limit)

    async def set_star(self, user_id: int, source: str, path: str, starred: bool) -> CatalogEntry:
        await self.settle()
        found = await self.store.entry(user_id, source, path)
        if found is None:
            raise NotFoundError(
                f"{source}:{path} is not in the index.",
                hint="Check the path, or refresh the index (syncoxide files ls --refresh).",
            )
        await self.store.set_star(user_id, source, path, starred=starred, now=self.clock())
        return found

    async def starred(self, user_id: int, limit: int) -> Sequence[CatalogEntry]:
        await self.settle()
        return await self.store.starred(user_id, limit)


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
