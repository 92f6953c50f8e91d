"""What the catalog needs from storage: the ``CatalogStore`` port.

The server's embedded store is SQLite with FTS5 (``syncoxide.server.catalog.sqlite``); a
PostgreSQL store implements the same methods (``tsvector`` for the words). Methods are
``async`` so a networked database can implement them for real. Paths are per source; the
root (``""``) has no entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry, Fingerprint
from syncoxide.catalog.search import SearchQuery

#: What a user did to a file, for Recent (their own actions only, never other people's).
ACTIONS = ("created", "changed", "opened", "downloaded", "moved", "restored")


@dataclass(frozen=True)
class SourceState:
    """How far one source's part of the index is: where its changes feed was, and when."""

    source: str
    feed_position: str = ""
    refreshed_at: int = 0


@dataclass(frozen=True)
class Activity:
    source: str
    path: str
    action: str
    at: int


@dataclass(frozen=True)
class RecentFile:
    entry: CatalogEntry
    action: str
    at: int


@dataclass(frozen=True)
class UsageRow:
    source: str
    group: str
    files: int
    bytes: int


class CatalogIndex(Protocol):
    async def fingerprints(
        self, user_id: int, source: str, under: str = ""
    ) -> dict[str, Fingerprint]:
        """Every entry of the source, or only ``under`` and what is inside it."""
        ...

    async def apply(self, user_id: int, source: str, changes: IndexChanges) -> None: ...
    async def move_subtree(self, user_id: int, source: str, old: str, new: str) -> None:
        """Rename an entry and everything under it (stars and activity follow)."""
        ...

    async def remove_subtree(self, user_id: int, source: str, path: str) -> None: ...
    async def drop_source(self, user_id: int, source: str) -> None:
        """Forget a source whole: entries, stars, activity, feed position, staleness."""
        ...

    async def source_state(self, user_id: int, source: str) -> SourceState | None: ...
    async def save_source_state(self, user_id: int, state: SourceState) -> None: ...
    async def sources(self, user_id: int) -> Sequence[SourceState]: ...
    async def staleness(self, user_id: int) -> dict[str, int]:
        """The user's own staleness settings: seconds after a refresh by source ('' for
        their default over every source)."""
        ...

    async def set_staleness(self, user_id: int, source: str, seconds: int | None) -> None:
        """Set one (``None`` removes it, so the default applies again)."""
        ...

    async def entry(self, user_id: int, source: str, path: str) -> CatalogEntry | None: ...
    async def entry_by_id(self, user_id: int, entry_id: int) -> CatalogEntry | None:
        """The user's entry with this id (``None`` for another user's: ids are not secrets)."""
        ...

    async def children(
        self, user_id: int, source: str, folder: str, *, after: str, limit: int
    ) -> Sequence[CatalogEntry]:
        """Entries directly inside ``folder``, by path, those after ``after``."""
        ...

    async def search(
        self, user_id: int, query: SearchQuery, limit: int
    ) -> Sequence[CatalogEntry]: ...


class CatalogMarks(Protocol):
    """Stars and the activity log: the user's own marks on entries."""

    async def set_star(
        self, user_id: int, source: str, path: str, *, starred: bool, now: int
    ) -> None: ...
    async def starred(self, user_id: int, limit: int) -> Sequence[CatalogEntry]: ...
    async def record(self, user_id: int, activity: Activity) -> None: ...
    async def recent(self, user_id: int, limit: int) -> Sequence[RecentFile]: ...


#: Bands of a file's age (by its modification time) for the space-by-age chart: each holds
#: files modified less than that many seconds ago and not in an earlier band; then the rest.
AGE_BANDS = (
    ("this month", 30 * 86_400),
    ("this year", 365 * 86_400),
    ("1-5 years", 5 * 365 * 86_400),
)
OLDER = "older"


@dataclass(frozen=True)
class AgeRow:
    band: str
    files: int
    bytes: int


class CatalogAnalytics(Protocol):
    async def usage(self, user_id: int) -> Sequence[UsageRow]: ...
    async def usage_by_age(self, user_id: int, now: int) -> Sequence[AgeRow]:
        """Files and bytes in each of ``AGE_BANDS`` then ``OLDER``, at ``now`` (Unix seconds);
        every band is listed, empty ones with zeros."""
        ...

    async def largest(self, user_id: int, limit: int) -> Sequence[CatalogEntry]: ...
    async def duplicates(self, user_id: int, limit: int) -> Sequence[Sequence[CatalogEntry]]:
        """Groups of two or more files with the same content hash, biggest waste first."""
        ...

    async def same_name_and_size(
        self, user_id: int, limit: int
    ) -> Sequence[Sequence[CatalogEntry]]:
        """Groups of two or more files with one name and size, biggest waste first."""
        ...


class CatalogStore(CatalogIndex, CatalogMarks, CatalogAnalytics, Protocol):
    """Everything the catalog service asks of storage."""

    def close(self) -> None:
        """Stop what the store runs of its own (threads, their connections), at shutdown."""
        ...
