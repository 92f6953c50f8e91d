"""The job queue in the server's database (SQLite or PostgreSQL), shared by every process on it.

``claim`` is one ``UPDATE ... WHERE id = (SELECT ...) AND status = queued RETURNING``
statement. SQLite runs it under its write lock, so two processes never claim the same job;
on PostgreSQL two instances may pick the same id, but the second one's UPDATE waits for the
first, re-reads the row, finds it running and claims nothing (it asks again next tick). The
per-user limit is part of that same statement (a user's running jobs are counted inside it).
``collect`` reads and rewrites a waiting job's items in a write transaction for the same
reason (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from syncoxide.server.automation.queue import (
    CANCELLED,
    DEAD,
    DONE,
    QUEUED,
    RUNNING,
    Job,
    NewJob,
)
from syncoxide.server.storage.database import Database

_COLUMNS = [f.name for f in fields(Job)]
_SELECT = ", ".join(_COLUMNS)
_STOPPED = "Its server stopped while it ran; it runs again."
_STOPPED_LAST = "Its server stopped while it ran, on its last attempt; retry it to run it again."


class DatabaseJobQueue:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    def enqueue(self, job: NewJob) -> Job:
        now = self.clock()
        row = self._db.execute(
            "INSERT INTO jobs (user_id, kind, payload, status, max_attempts, run_after,"  # noqa: S608 - columns from code
            " collect_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            f" RETURNING {_SELECT}",
            (job.user_id, job.kind, json.dumps(job.payload), QUEUED, job.max_attempts,
             now + job.delay, job.collect_key, now),
        ).one()  # fmt: skip
        return _job(row)

    def bury(self, job: NewJob, *, code: str, message: str) -> Job:
        now = self.clock()
        row = self._db.execute(
            "INSERT INTO jobs (user_id, kind, payload, status, max_attempts, run_after,"  # noqa: S608 - columns from code
            " error_code, message, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            f" RETURNING {_SELECT}",
            (job.user_id, job.kind, json.dumps(job.payload), DEAD, job.max_attempts, now, code,
             message, now, now),
        ).one()  # fmt: skip
        return _job(row)

    def collect(self, key: str, item: Any, settle: float) -> Job | None:
        with self._db.transaction(write=True):
            row = self._db.execute(
                f"SELECT {_SELECT} FROM jobs WHERE collect_key = ? AND status = ?"  # noqa: S608
                f" ORDER BY id DESC LIMIT 1{self._db.lock_rows}",
                (key, QUEUED),
            ).one()
            if row is None:
                return None
            job = _job(row)
            payload = {**job.payload, "items": [*job.payload.get("items", []), item]}
            updated = self._db.execute(
                f"UPDATE jobs SET payload = ?, run_after = ? WHERE id = ? RETURNING {_SELECT}",  # noqa: S608 - columns from code
                (json.dumps(payload), self.clock() + settle, job.id),
            ).one()
        return _job(updated)

    def claim(self, owner: str, lease: float, per_user: int) -> Job | None:
        now = self.clock()
        row = self._db.execute(
            "UPDATE jobs SET status = ?, lease_owner = ?, lease_until = ?,"  # noqa: S608 - columns from code
            " attempts = attempts + 1, cancel_requested = FALSE"
            " WHERE id = (SELECT j.id FROM jobs j WHERE j.status = ? AND j.run_after <= ?"
            "  AND (SELECT count(*) FROM jobs r WHERE r.user_id = j.user_id AND r.status = ?) < ?"
            "  ORDER BY j.run_after, j.id LIMIT 1) AND status = ?"
            f" RETURNING {_SELECT}",
            (RUNNING, owner, now + lease, QUEUED, now, RUNNING, per_user, QUEUED),
        ).one()
        return None if row is None else _job(row)

    def renew(self, job_id: int, owner: str, lease: float, progress: float) -> bool | None:
        row = self._db.execute(
            "UPDATE jobs SET lease_until = ?, progress = ? WHERE id = ? AND lease_owner = ?"
            " AND status = ? RETURNING cancel_requested",
            (self.clock() + lease, progress, job_id, owner, RUNNING),
        ).one()
        return None if row is None else bool(row[0])

    def finish(self, job_id: int, owner: str, result: dict[str, Any]) -> bool:
        return self._close(job_id, owner, DONE, result=json.dumps(result), progress=1.0)

    def fail(
        self, job_id: int, owner: str, *, code: str, message: str, retry_in: float | None
    ) -> Job | None:
        now = self.clock()
        row = self._db.execute(
            "UPDATE jobs SET status = CASE WHEN ? AND attempts < max_attempts THEN ? ELSE ? END,"  # noqa: S608 - columns from code
            " run_after = ?, lease_owner = '', error_code = ?, message = ?,"
            " finished_at = CASE WHEN ? AND attempts < max_attempts THEN NULL ELSE ? END"
            f" WHERE id = ? AND lease_owner = ? AND status = ? RETURNING {_SELECT}",
            (retry_in is not None, QUEUED, DEAD, now + (retry_in or 0), code, message,
             retry_in is not None, now, job_id, owner, RUNNING),
        ).one()  # fmt: skip
        return None if row is None else _job(row)

    def stop_cancelled(self, job_id: int, owner: str) -> bool:
        return self._close(job_id, owner, CANCELLED, message="Cancelled while it ran.")

    def release(self, job_id: int, owner: str) -> bool:
        cursor = self._db.execute(
            "UPDATE jobs SET status = ?, lease_owner = '',"
            " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,"
            " run_after = ? WHERE id = ? AND lease_owner = ? AND status = ?",
            (QUEUED, self.clock(), job_id, owner, RUNNING),
        )
        return cursor.rowcount == 1

    def _close(self, job_id: int, owner: str, status: str, **values: Any) -> bool:
        names = ", ".join(f"{name} = ?" for name in values)
        cursor = self._db.execute(
            f"UPDATE jobs SET status = ?, lease_owner = '', finished_at = ?, {names}"  # noqa: S608
            " WHERE id = ? AND lease_owner = ? AND status = ?",
            (status, self.clock(), *values.values(), job_id, owner, RUNNING),
        )
        return cursor.rowcount == 1

    def reclaim_expired(self) -> list[Job]:
        """Jobs whose worker stopped renewing (killed, machine lost): back to the queue, or to
        the dead-letter list when that was their last attempt."""
        now = self.clock()
        rows = self._db.execute(
            "UPDATE jobs SET status = CASE WHEN attempts < max_attempts THEN ? ELSE ? END,"  # noqa: S608 - columns from code
            " lease_owner = '', run_after = ?,"
            " message = CASE WHEN attempts < max_attempts THEN ? ELSE ? END,"
            " finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE ? END"
            f" WHERE status = ? AND lease_until < ? RETURNING {_SELECT}",
            (QUEUED, DEAD, now, _STOPPED, _STOPPED_LAST, now, RUNNING, now),
        ).rows
        return [_job(row) for row in rows]

    def get(self, user_id: int, job_id: int) -> Job | None:
        row = self._db.execute(
            f"SELECT {_SELECT} FROM jobs WHERE id = ? AND user_id = ?",  # noqa: S608
            (job_id, user_id),
        ).one()
        return None if row is None else _job(row)

    def list(self, user_id: int, status: str | None, limit: int) -> list[Job]:
        where, params = "user_id = ?", [user_id]
        if status:
            where, params = where + " AND status = ?", [user_id, status]  # type: ignore[list-item]
        rows = self._db.execute(
            f"SELECT {_SELECT} FROM jobs WHERE {where} ORDER BY id DESC LIMIT ?",  # noqa: S608
            (*params, limit),
        ).rows
        return [_job(row) for row in rows]

    def cancel(self, user_id: int, job_id: int) -> Job | None:
        """A waiting job is cancelled at once; a running one is asked to stop (its worker sees
        the flag at its next lease renewal and kills the action)."""
        self._db.execute(
            "UPDATE jobs SET status = ?, finished_at = ?, message = 'Cancelled before it ran.'"
            " WHERE id = ? AND user_id = ? AND status = ?",
            (CANCELLED, self.clock(), job_id, user_id, QUEUED),
        )
        self._db.execute(
            "UPDATE jobs SET cancel_requested = TRUE WHERE id = ? AND user_id = ? AND status = ?",
            (job_id, user_id, RUNNING),
        )
        return self.get(user_id, job_id)

    def retry(self, user_id: int, job_id: int) -> Job | None:
        """A dead or cancelled job, queued again with its attempts counted afresh."""
        self._db.execute(
            "UPDATE jobs SET status = ?, attempts = 0, run_after = ?, finished_at = NULL,"
            " error_code = '', message = '', progress = 0"
            " WHERE id = ? AND user_id = ? AND status IN (?, ?)",
            (QUEUED, self.clock(), job_id, user_id, DEAD, CANCELLED),
        )
        return self.get(user_id, job_id)


def _job(row: Any) -> Job:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["payload"] = json.loads(values["payload"])
    values["result"] = json.loads(values["result"])
    values["cancel_requested"] = bool(values["cancel_requested"])
    return Job(**values)
