"""Token buckets: a burst allowance refilled at a steady rate.

One bucket per WebSocket caps how fast a peer may send (ICE gathering bursts a few dozen
messages; a flood is closed with CLOSE_RATE_LIMITED), and one per client address caps room
creation and short-code lookups.
"""

from __future__ import annotations

from syncoxide.ports import Clock


class TokenBucket:
    def __init__(self, clock: Clock, *, rate: float, burst: float) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._stamp = clock.monotonic()

    def take(self) -> bool:
        now = self._clock.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class AddressLimits:
    """One bucket per client address, forgetting the oldest when too many are tracked."""

    def __init__(self, clock: Clock, *, rate: float, burst: float, tracked: int = 4096) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = burst
        self._tracked = tracked
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, address: str) -> bool:
        bucket = self._buckets.pop(address, None)
        if bucket is None:
            bucket = TokenBucket(self._clock, rate=self._rate, burst=self._burst)
        self._buckets[address] = bucket  # re-insert: dict order doubles as least-recently-used
        if len(self._buckets) > self._tracked:
            del self._buckets[next(iter(self._buckets))]
        return bucket.take()
