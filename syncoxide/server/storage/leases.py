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

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from syncoxide.server.storage.database import Database

T = TypeVar("T")
log = logging.getLogger("syncoxide.server")

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
        self, database: Database, holder: str, seconds: int, clock: Callable[[], int]
    ) -> None:
        self._db = database
        self.holder = holder
        self.seconds = seconds
        self._clock = clock

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
        ).one()
        return str(row[0]) if row else None

    async def held(self, prefix: str) -> list[str]:
        """The jobs whose names start with ``prefix`` that some holder has now."""
        rows = self._db.execute(
            "SELECT job FROM job_leases WHERE substr(job, 1, ?) = ? AND expires_at > ?",
            (len(prefix), prefix, self._clock()),
        ).rows
        return [str(row[0]) for row in rows]


async def run_leased(
    leases: JobLeases,
    job: str,
    work: Callable[[], Coroutine[Any, Any, T]],
    still_due: Callable[[], Awaitable[bool]] | None = None,
) -> tuple[bool, T | None]:
    """Run ``work()`` while holding the lease on ``job``: (False, None) when another holder
    has it or ``still_due()``, asked under the lease, says another instance already did the
    work. The lease is renewed every third of its length; if it is lost anyway (this instance
    stalled past it), the work is cancelled, since another instance may have taken over."""
    if not await leases.take(job):
        return False, None
    try:
        if still_due is not None and not await still_due():
            return False, None
        running = asyncio.create_task(work())
        keeper = asyncio.create_task(_keep(leases, job, running))
        try:
            return True, await running
        finally:
            keeper.cancel()
    finally:
        await leases.release(job)


async def _keep(leases: JobLeases, job: str, running: asyncio.Task[Any]) -> None:
    while True:
        await asyncio.sleep(leases.seconds / 3)
        if not await leases.take(job):
            log.warning("lost the lease on %s; stopping its work here", job)
            running.cancel()
            return


async def lapsed_jobs(leases: JobLeases, jobs: Iterable[str]) -> AsyncIterator[str]:
    """Those of ``jobs`` whose holder's lease lapsed (its instance died), each taken for the
    time the caller needs to record that (it is released when the caller moves on)."""
    for job in jobs:
        if await leases.holder_of(job) is None and await leases.take(job):
            try:
                yield job
            finally:
                await leases.release(job)
