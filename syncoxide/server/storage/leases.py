"""Job leases: at most one runner per job among every instance that shares the database.

A lease is a row (job, holder, expires_at). Taking one is a single statement that succeeds
when the row is missing, has expired, or is already this holder's; renewing is taking it
again before it expires. An instance killed mid-run simply stops renewing: once its leases
expire another instance takes them over and resumes the work. The statement is plain SQL
that SQLite (3.24+) and PostgreSQL both run as it is.

The holder is the instance's id; the embedded default uses one fixed id, so a restarted
single server takes its own leases back at once instead of waiting for them to expire.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from syncoxide.server.storage.sqlite import open_database

LEASE_MIGRATION = """
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
"""

_TAKE = (
    "INSERT INTO job_leases (job, holder, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
    " WHERE job_leases.expires_at <= ? OR job_leases.holder = excluded.holder"
)


class JobLeases:
    def __init__(
        self, connection: sqlite3.Connection, holder: str, seconds: int, clock: Callable[[], int]
    ) -> None:
        self._db = connection
        self.holder = holder
        self.seconds = seconds
        self._clock = clock

    @classmethod
    def open(cls, path: Path, holder: str, seconds: int, clock: Callable[[], int]) -> JobLeases:
        return cls(open_database(path), holder, seconds, clock)

    async def take(self, job: str) -> bool:
        """Take or renew the lease on ``job`` for ``seconds``; False while another holds it."""
        now = self._clock()
        cursor = self._db.execute(_TAKE, (job, self.holder, now + self.seconds, now))
        return cursor.rowcount == 1

    async def release(self, job: str) -> None:
        self._db.execute("DELETE FROM job_leases WHERE job = ? AND holder = ?", (job, self.holder))

    async def holder_of(self, job: str) -> str | None:
        """Who holds ``job`` now (None when nobody does, or the lease has expired)."""
        row = self._db.execute(
            "SELECT holder FROM job_leases WHERE job = ? AND expires_at > ?", (job, self._clock())
        ).fetchone()
        return str(row[0]) if row else None
