"""Where short codes are remembered: the ``ShortCodes`` port and its two stores.

A short code (``7K3Q-9XPM``) is read out to someone who then types it into ``syncoxide
receive``; it must keep finding its room for as long as the room lives, across a server restart
too. ``DatabaseShortCodes`` keeps them in the server's database (SQLite migration 10): a code
is good until its room's lifetime ends, or for as long as the room's server copy (its share
link, see fallbacks.py) is usable, whichever is later, since the code then still leads to the
files.
``MemoryShortCodes`` is the default of a signaling service without a data directory.
"""

from __future__ import annotations

from typing import Protocol

from syncoxide.ports import Clock
from syncoxide.server.storage.database import Database


class ShortCodes(Protocol):
    async def add(self, code: str, room: str, lifetime: float) -> bool:
        """Map ``code`` to ``room`` for ``lifetime`` seconds; False if the code is taken."""
        ...

    async def lookup(self, code: str) -> str | None:
        """The room of a code still in force, else None."""
        ...


class MemoryShortCodes:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._codes: dict[str, tuple[str, float]] = {}  # code -> (room, monotonic expiry)

    async def add(self, code: str, room: str, lifetime: float) -> bool:
        self._forget_expired()
        if code in self._codes:
            return False
        self._codes[code] = (room, self._clock.monotonic() + lifetime)
        return True

    async def lookup(self, code: str) -> str | None:
        self._forget_expired()
        entry = self._codes.get(code)
        return entry[0] if entry else None

    def _forget_expired(self) -> None:
        now = self._clock.monotonic()
        for code in [code for code, (_, expiry) in self._codes.items() if expiry < now]:
            del self._codes[code]


# A code is in force before its own expiry, or while its room names a share that is usable.
# Parameters: code, now, now (one placeholder per use: both databases take ``?``).
_LOOKUP = (
    "SELECT room FROM p2p_codes WHERE code = ? AND (p2p_codes.expires_at > ?"
    " OR EXISTS (SELECT 1 FROM p2p_fallbacks JOIN links ON links.id = p2p_fallbacks.link_id"
    " WHERE p2p_fallbacks.room = p2p_codes.room AND links.kind = 'share'"
    " AND links.revoked_at IS NULL AND (links.expires_at IS NULL OR links.expires_at > ?)))"
)
# Parameters: now, now.
_SWEEP = (
    "DELETE FROM p2p_codes WHERE p2p_codes.expires_at <= ?"
    " AND NOT EXISTS (SELECT 1 FROM p2p_fallbacks JOIN links ON links.id = p2p_fallbacks.link_id"
    " WHERE p2p_fallbacks.room = p2p_codes.room AND links.kind = 'share'"
    " AND links.revoked_at IS NULL AND (links.expires_at IS NULL OR links.expires_at > ?))"
)


class DatabaseShortCodes:
    """Codes in the server's database (wall-clock expiry: it has to survive restarts)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def add(self, code: str, room: str, lifetime: float) -> bool:
        now = int(self._clock.now())
        self._db.execute(_SWEEP, (now, now))
        cursor = self._db.execute(
            "INSERT INTO p2p_codes (code, room, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (code) DO NOTHING",
            (code, room, now + int(lifetime)),
        )
        return cursor.rowcount == 1

    async def lookup(self, code: str) -> str | None:
        now = int(self._clock.now())
        row = self._db.execute(_LOOKUP, (code, now, now)).one()
        return str(row[0]) if row else None
