"""A one-line progress display on stderr: bytes, speed, time left, final state."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from syncoxide.units import format_rate

MIB = 1024 * 1024


class ProgressLine:
    def __init__(self, total: int, verb: str, stream: TextIO | None = None) -> None:
        self.total = total
        self.verb = verb
        self.stream = stream or sys.stderr
        self._started = time.monotonic()
        self._shown = 0.0
        self._base = 0  # bytes already there when this run started (resumed)

    def start_from(self, already: int) -> None:
        self._base = already
        self._started = time.monotonic()

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._shown < 0.5:
            return
        self._shown = now
        elapsed = max(now - self._started, 1e-6)
        speed = max(done - self._base, 0) / elapsed
        left = (self.total - done) / speed if speed > 0 else float("inf")
        eta = f"{left:.0f} s left" if left != float("inf") else "waiting"
        line = (
            f"\r{self.verb} {done / MIB:.1f} / {self.total / MIB:.1f} MiB"
            f"  {format_rate(speed)}  {eta}   "
        )
        self.stream.write(line)
        self.stream.flush()

    def finish(self, state: str) -> None:
        self.stream.write(f"\n{state}\n")
        self.stream.flush()
