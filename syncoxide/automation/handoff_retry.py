"""When a polled file whose hand-off to the job queue failed is tried again, and when not.

A poll hands each settled file over on its own; one whose hand-off fails gets a record of
its own (attempts, when to try again, why), so the rule's other files are handed over
meanwhile instead of queueing behind it. The record belongs to one version of the file
(its fingerprint): a file that changes starts afresh. Tries are spaced like the queue's
retries of failed jobs (``backoff.retry_delay``: doubling, capped, with jitter); after
``attempts`` tries, or at once for an error that says trying again will not help, the file
is given up until it changes, and the caller says so where the rule's failures are shown.

Pure: the time and the jitter (a number in [0, 1)) are given.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.automation.backoff import retry_delay


@dataclass(frozen=True)
class HandoffRetry:
    """How failed hand-offs are tried again: a short first wait, as the fault is often a
    moment's (a busy database), and few tries, as a lasting one will not pass by itself."""

    base: float = 5.0
    cap: float = 300.0
    attempts: int = 5


@dataclass(frozen=True)
class HandoffFailure:
    fingerprint: str  # the version of the file that failed
    attempts: int
    retry_at: float
    reason: str
    given_up: bool = False

    def due(self, now: float) -> bool:
        """Whether the file is to be tried again now (the caller checks it is the version
        that failed: a changed file starts afresh)."""
        return not self.given_up and now >= self.retry_at


def failed_again(
    before: HandoffFailure | None,
    *,
    fingerprint: str,
    reason: str,
    retryable: bool,
    at: tuple[float, float],
    policy: HandoffRetry,
) -> HandoffFailure:
    """The record after one more failed hand-off of ``fingerprint`` (``before``: the record
    so far, of any version); ``at`` is (now, jitter)."""
    now, jitter = at
    same = before is not None and before.fingerprint == fingerprint
    attempts = before.attempts + 1 if same and before is not None else 1
    delay = retry_delay(attempts, jitter, base=policy.base, cap=policy.cap)
    given_up = not retryable or attempts >= policy.attempts
    return HandoffFailure(fingerprint, attempts, now + delay, reason, given_up)
