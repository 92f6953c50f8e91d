"""How long a failed job waits before its next attempt: exponential, capped, with jitter.

Jitter comes in as a number in [0, 1) from the caller (a port for randomness), so the schedule
is deterministic in tests: attempt 1 waits about ``base``, then 2x, 4x... up to ``cap``.
"""

from __future__ import annotations


def retry_delay(attempt: int, jitter: float, *, base: float = 5.0, cap: float = 600.0) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
    raw = min(cap, base * 2.0 ** max(attempt - 1, 0))
    return raw * (0.75 + 0.5 * jitter)  # +-25%: retries of many jobs do not march in step
