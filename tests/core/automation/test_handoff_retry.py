"""When a file whose hand-off failed is tried again (``syncoxide.automation.handoff_retry``):
doubling waits to a cap, a count kept per version of the file, and a give-up after the
policy's attempts, or at once for an error that says trying again will not help."""

from __future__ import annotations

from syncoxide.automation.handoff_retry import HandoffFailure, HandoffRetry, failed_again

POLICY = HandoffRetry(base=4.0, cap=10.0, attempts=4)


def fail(before: HandoffFailure | None, now: float, *, fingerprint: str = "10:1",
         retryable: bool = True) -> HandoffFailure:  # fmt: skip
    return failed_again(before, fingerprint=fingerprint, reason="the queue refused",
                        retryable=retryable, at=(now, 0.5), policy=POLICY)  # fmt: skip


def test_retries_double_to_the_cap_then_the_file_is_given_up() -> None:
    failure = None
    waits = []
    for now in (100.0, 200.0, 300.0, 400.0):
        failure = fail(failure, now)
        waits.append(failure.retry_at - now)
        assert failure.given_up == (failure.attempts == 4)
    assert waits == [4.0, 8.0, 10.0, 10.0], "jitter 0.5 is the middle: no spread"
    assert failure is not None and failure.reason == "the queue refused"
    assert not failure.due(10_000.0), "given up: never due again"


def test_a_retry_is_due_at_its_time_and_a_changed_file_starts_afresh() -> None:
    first = fail(None, 100.0)
    assert not first.due(103.9) and first.due(104.0)
    second = fail(first, 104.0)
    assert second.attempts == 2
    changed = fail(second, 110.0, fingerprint="11:2")
    assert changed.attempts == 1 and changed.retry_at == 114.0


def test_an_error_that_will_not_pass_gives_up_at_once() -> None:
    failure = fail(None, 100.0, retryable=False)
    assert failure.given_up and failure.attempts == 1 and not failure.due(1e9)
