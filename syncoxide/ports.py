"""Ports: the small interfaces through which the core reaches the outside world.

Time and randomness come in through here so nonces, conflict names and timeouts are
deterministic in tests. Storage providers, data channels and crypto backends have their own
protocols beside the code that uses them (``syncoxide.providers``, ``syncoxide.protocol``,
``syncoxide.crypto``) and are assembled per platform in ``syncoxide.native`` or the browser
package ``syncoxide_web``. This module is pure (no clock, no OS): the real clock and random
source live in ``syncoxide.system``, so sans-IO code may import the protocols freely.
"""

from __future__ import annotations

import hashlib
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time in seconds since the epoch (for timestamps people read)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for timeouts and rates)."""
        ...


class RandomSource(Protocol):
    def token_bytes(self, count: int) -> bytes:
        """``count`` bytes from a cryptographically secure generator."""
        ...


class FixedClock:
    """A clock that moves only when told to: for tests and known-answer vectors."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._monotonic = 0.0

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._monotonic += seconds


class SeededRandom:
    """Deterministic bytes from a seed (SHA-256 in counter mode): for tests only, never for keys."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0

    def token_bytes(self, count: int) -> bytes:
        out = b""
        while len(out) < count:
            out += hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
        return out[:count]
