"""The real clock and random source, for wiring into the ports at assembly time.

Both work on CPython and in Pyodide (where time comes from the JS host and ``os.urandom`` is
``crypto.getRandomValues``). Sans-IO code never imports this module; it receives a Clock and a
RandomSource from whoever assembles it.
"""

from __future__ import annotations

import os
import time


class SystemClock:
    """The real clock; works on CPython and in Pyodide (where time comes from the JS host)."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class SystemRandom:
    """The operating system's CSPRNG; in Pyodide ``os.urandom`` is ``crypto.getRandomValues``."""

    def token_bytes(self, count: int) -> bytes:
        return os.urandom(count)
