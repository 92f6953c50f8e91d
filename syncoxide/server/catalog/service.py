"""The catalog service: one index of a user's files across the server's storage and their
connections, what the catalog API and the app ask.

The server's own storage is indexed on write and refreshed from the storage change feed
(home_index.py). Connections are refreshed on request or on a timer (``refresh``), by changes
feed or by listing diff (``syncoxide.catalog.refresh``). While a source is refreshed,
``coverage`` says so, on every instance (refreshing.py); how current each source is, and after
how long it counts as stale, is coverage.py's. An entry's owner is "" for the user's own files;
files others share with them will carry the sharer's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from syncoxide.catalog.model import HOME, CatalogEntry
from syncoxide.catalog.port import CatalogStore, RecentFile
from syncoxide.catalog.refresh import RefreshReport, refresh_source
from syncoxide.catalog.search import SearchQuery, parse_search
from syncoxide.errors import NotFoundError, SyncoxideError
from syncoxide.providers.contract import Provider
from syncoxide.server.catalog.coverage import (
    EVERY_SOURCE,
    STALE_AFTER_SECONDS,
    IndexTimes,
    SourceCoverage,
    Staleness,
    check_staleness_setting,
    coverage_of,
)
from syncoxide.server.catalog.home_index import HomeIndex
from syncoxide.server.catalog.refreshing import RefreshMarks
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.server.files.service import FileService
from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.server.rules.store import Connection
from syncoxide.server.storage.leases import JobLeases

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


class CatalogService:
    """What the catalog API and the app ask of the index: refresh, search, browse, star."""

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
        self.home = HomeIndex(store, clock, files)
        self.refreshing = RefreshMarks(leases)
        if files is not None:
            files.changes.listen(self.home.queue)

    async def settle(self) -> None:
        """Write every change to the server's storage so far to the index (home_index.py)."""
        await self.home.settle()

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
                return SourceReport(source, await self.home.refresh(user_id, self.feed))
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
        connections = (await self.reachable_sources(user_id))[1:]
        return coverage_of(connections, IndexTimes(refreshed, staleness, refreshing, now))

    async def staleness(self, user_id: int) -> Staleness:
        own = await self.store.staleness(user_id)
        own_default = own.pop(EVERY_SOURCE, None)
        return Staleness(self.stale_after, own_default, own)

    async def set_staleness(self, user_id: int, source: str, seconds: int | None) -> Staleness:
        """Set the user's own staleness for one connection, or for every one (``source``
        ''); ``None`` removes it so the next setting up applies again."""
        check_staleness_setting(source, seconds)
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
