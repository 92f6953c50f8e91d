"""The job queue's port: what every backend offers (SQLite embedded; PostgreSQL to come).

A job moves through these states::

    queued --claim--> running --finish--> done        (bury: straight to dead)
      ^  |               |  +--fail, attempts left--> queued (run_after = now + backoff)
      |  |               |   +-fail, none left or not retryable--> dead   (the dead-letter list)
      |  +--cancel-------+--cancel (the worker stops the action)--> cancelled
      +---- lease expired (its worker died) ----+       dead --retry--> queued

Every method is one short transaction, so a PostgreSQL backend is the same shape with
``FOR UPDATE SKIP LOCKED`` in ``claim``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

QUEUED, RUNNING, DONE, DEAD, CANCELLED = "queued", "running", "done", "dead", "cancelled"
STATUSES = (QUEUED, RUNNING, DONE, DEAD, CANCELLED)


@dataclass(frozen=True)
class Job:
    id: int
    user_id: int
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int
    run_after: float
    lease_owner: str
    lease_until: float
    progress: float
    cancel_requested: bool
    error_code: str
    message: str
    result: dict[str, Any]
    collect_key: str
    created_at: float
    finished_at: float | None


@dataclass(frozen=True)
class NewJob:
    user_id: int
    kind: str
    payload: dict[str, Any]
    max_attempts: int = 3
    delay: float = 0.0
    collect_key: str = ""


class JobQueue(Protocol):
    def enqueue(self, job: NewJob) -> Job: ...

    def collect(self, key: str, item: Any, settle: float) -> Job | None:
        """Add ``item`` to ``payload["items"]`` of the waiting job with ``key``, and push its
        start back to ``settle`` seconds from now; None when no such job waits."""
        ...

    def bury(self, job: NewJob, *, code: str, message: str) -> Job:
        """Put ``job`` straight on the dead-letter list, saying why (work that could not
        even be queued, shown where failed jobs are, and queued by a retry from there)."""
        ...

    def claim(self, owner: str, lease: float, per_user: int) -> Job | None: ...

    def renew(self, job_id: int, owner: str, lease: float, progress: float) -> bool | None:
        """Extend the lease; whether a cancel was asked. None: the lease was lost."""
        ...

    def finish(self, job_id: int, owner: str, result: dict[str, Any]) -> bool: ...

    def fail(
        self, job_id: int, owner: str, *, code: str, message: str, retry_in: float | None
    ) -> Job | None: ...

    def stop_cancelled(self, job_id: int, owner: str) -> bool: ...

    def release(self, job_id: int, owner: str) -> bool:
        """Give a running job back to the queue untouched (its server is shutting down)."""
        ...

    def reclaim_expired(self) -> list[Job]:
        """Jobs whose lease lapsed, back to the queue or, on their last attempt, to the
        dead-letter list; the jobs it moved, as they are now."""
        ...

    def get(self, user_id: int, job_id: int) -> Job | None: ...

    def list(self, user_id: int, status: str | None, limit: int) -> list[Job]: ...

    def cancel(self, user_id: int, job_id: int) -> Job | None: ...

    def retry(self, user_id: int, job_id: int) -> Job | None: ...
