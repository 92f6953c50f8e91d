"""Where a room's server copy is remembered: the ``FallbackRecords`` port and its two stores.

A sender that uploaded its files as a share link names it in the room (``fallback``), so a
receiver who finds no sender can fetch that copy instead. The record has to outlive the sender's
socket (the sender being gone is the whole point) and, on a real server, a restart as well.

``DatabaseFallbackRecords`` keeps records in the server's database (SQLite migration 8) tied to
their share link by a foreign key, so a record lasts exactly as long as its link: once the share
expires, is revoked or deleted, the record is no longer offered (and is swept). It only accepts
a share that exists on this server and belongs to the signed-in sender naming it: a room (which
anyone may create) can never send its receivers to somebody else's share.
``MemoryFallbackRecords`` is the default of a signaling service without a data directory (tests,
embedding): it knows no shares, so it checks neither existence nor owner, and its records expire
after a fixed time.
"""

from __future__ import annotations

from typing import Protocol

from syncoxide.ports import Clock
from syncoxide.server.storage.database import Database

SHARE_PREFIX = "/s/"


class FallbackRecords(Protocol):
    async def remember(self, room: str, url: str, owner: int) -> bool:
        """Record ``url`` (``/s/<share id>``) as the room's server copy; False unless it is a
        usable share of user ``owner``."""
        ...

    async def lookup(self, room: str) -> str | None:
        """The room's server copy (``/s/<share id>``) while its share link is usable, else None."""
        ...


class MemoryFallbackRecords:
    def __init__(self, clock: Clock, lifetime: float) -> None:
        self._clock = clock
        self._lifetime = lifetime
        self._records: dict[str, tuple[str, float]] = {}  # room -> (url, monotonic expiry)

    async def remember(self, room: str, url: str, owner: int) -> bool:
        self._forget_expired()
        self._records[room] = (url, self._clock.monotonic() + self._lifetime)
        return True

    async def lookup(self, room: str) -> str | None:
        self._forget_expired()
        record = self._records.get(room)
        return record[0] if record else None

    def _forget_expired(self) -> None:
        now = self._clock.monotonic()
        for room in [room for room, (_, expiry) in self._records.items() if expiry < now]:
            del self._records[room]


class DatabaseFallbackRecords:
    """Records in the server's database; one statement per call, like LinkStore.

    A record is offered only while its share is usable: not revoked, not expired."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def remember(self, room: str, url: str, owner: int) -> bool:
        now = int(self._clock.now())
        self._sweep(now)
        share_id = url.removeprefix(SHARE_PREFIX)
        cursor = self._db.execute(
            "INSERT INTO p2p_fallbacks (room, link_id, created_at)"
            " SELECT ?, links.id, ? FROM links WHERE links.id = ? AND links.kind = 'share'"
            " AND links.user_id = ? AND links.revoked_at IS NULL"
            " AND (links.expires_at IS NULL OR links.expires_at > ?)"
            " ON CONFLICT (room) DO UPDATE"
            " SET link_id = excluded.link_id, created_at = excluded.created_at",
            (room, now, share_id, owner, now),
        )
        return cursor.rowcount == 1

    async def lookup(self, room: str) -> str | None:
        row = self._db.execute(
            "SELECT links.id FROM p2p_fallbacks JOIN links ON links.id = p2p_fallbacks.link_id"
            " WHERE p2p_fallbacks.room = ? AND links.kind = 'share' AND links.revoked_at IS NULL"
            " AND (links.expires_at IS NULL OR links.expires_at > ?)",
            (room, int(self._clock.now())),
        ).one()
        return f"{SHARE_PREFIX}{row[0]}" if row else None

    def _sweep(self, now: int) -> None:
        """Drop records whose share is over (deleted shares take theirs by ON DELETE CASCADE)."""
        self._db.execute(
            "DELETE FROM p2p_fallbacks WHERE link_id NOT IN (SELECT links.id FROM links"
            " WHERE links.kind = 'share' AND links.revoked_at IS NULL"
            " AND (links.expires_at IS NULL OR links.expires_at > ?))",
            (now,),
        )
