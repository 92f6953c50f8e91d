"""Per-key sliding-window rate limits for login, token and password endpoints.

``RateLimiter`` counts in this process's memory: enough for the embedded server. Instances
behind one balancer share their counters in Redis instead (bus/redis_state.py), so an
attacker gains nothing by spreading guesses across instances.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    attempts: int
    per_seconds: float


@dataclass(frozen=True)
class RateLimits:
    """How many attempts each client IP and each account name get per window."""

    login_per_ip: Limit = Limit(20, 60)
    login_per_user: Limit = Limit(10, 60)
    tokens_per_ip: Limit = Limit(30, 60)
    tokens_per_user: Limit = Limit(20, 60)


class Limiter(Protocol):
    async def hit(self, bucket: str, key: str, limit: Limit) -> float | None:
        """Count one attempt; return seconds to wait if it is over the limit, else None."""
        ...


@dataclass
class RateLimiter:
    clock: Callable[[], float] = time.monotonic
    _hits: dict[tuple[str, str], deque[float]] = field(default_factory=dict)

    async def hit(self, bucket: str, key: str, limit: Limit) -> float | None:
        """Count one attempt; return seconds to wait if it is over the limit, else None."""
        now = self.clock()
        hits = self._hits.setdefault((bucket, key), deque())
        while hits and hits[0] <= now - limit.per_seconds:
            hits.popleft()
        if len(hits) >= limit.attempts:
            return max(1.0, hits[0] + limit.per_seconds - now)
        hits.append(now)
        if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - 3600}
        return None
