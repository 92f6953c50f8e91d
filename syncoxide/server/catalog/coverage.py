"""How current each source's part of a user's index is, and after how long it counts as stale.

The server's own storage is indexed as it is written, so it is always current; a connection is
indexed only when refreshed, so a search says when that was never, or too long ago. The server
sets a default; each user may set their own, for every connection or for one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from syncoxide.catalog.model import HOME
from syncoxide.errors import UsageError

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


@dataclass(frozen=True)
class IndexTimes:
    """What the index knows of one user's sources at one moment."""

    refreshed: dict[str, int]  # source -> when last refreshed
    staleness: Staleness
    refreshing: set[str]  # sources being refreshed now
    now: int


def coverage_of(connections: Sequence[str], times: IndexTimes) -> list[SourceCoverage]:
    """``home`` (always current), then each connection by name: never read, stale or current."""
    refreshed, staleness = times.refreshed, times.staleness
    found = [SourceCoverage(HOME, CURRENT, refreshed.get(HOME, 0), staleness.of(HOME))]
    for source in connections:
        at, limit = refreshed.get(source), staleness.of(source)
        busy = source in times.refreshing
        if at is None:
            found.append(SourceCoverage(source, NEVER, stale_after=limit, refreshing=busy))
        else:
            state = STALE if times.now - at > limit else CURRENT
            found.append(SourceCoverage(source, state, at, limit, busy))
    return found


def check_staleness_setting(source: str, seconds: int | None) -> None:
    """Refuse a staleness out of range, or one for the server's own storage (never stale)."""
    low, high = STALE_AFTER_RANGE
    if seconds is not None and not low <= seconds <= high:
        raise UsageError(
            f"A staleness of {seconds} seconds is out of range.",
            hint="Give from one minute to a year; nothing was changed.",
        )
    if source == HOME:
        raise UsageError(
            "Your files on this server are indexed as they are written, so they are never stale.",
            hint="Set it for a connection by name, or for every connection; nothing was changed.",
        )
