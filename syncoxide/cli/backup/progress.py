"""Borg's progress events as one line that updates in place on a terminal.

Events arrive many times a second; the line is redrawn at most every 0.2 s, and only when
stderr is a terminal (a script or a timer's log gets the summary alone).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from syncoxide.backup.borg_log import ArchiveProgress, BorgEvent, PercentProgress, StatusMessage
from syncoxide.units import format_bytes

REDRAW_SECONDS = 0.2


class ProgressLine:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._drawn_at = 0.0
        self._width = 0

    def sink(self) -> ProgressLine | None:
        """Itself where a line is drawn; None elsewhere, so borg is not asked for progress."""
        return self if self.enabled else None

    def __call__(self, event: BorgEvent) -> None:
        if not self.enabled:
            return
        text = describe(event)
        now = time.monotonic()
        if text is None or now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        self._draw(text)

    def _draw(self, text: str) -> None:
        text = text[:110]
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def finish(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def describe(event: BorgEvent) -> str | None:
    if isinstance(event, ArchiveProgress) and not event.finished:
        return (
            f"{event.nfiles:,} files, {format_bytes(event.original_size)} read, "
            f"{format_bytes(event.deduplicated_size)} new  {event.path}"
        )
    if isinstance(event, PercentProgress) and not event.finished:
        return f"{event.operation}: {event.fraction * 100:5.1f}%"
    if isinstance(event, StatusMessage) and event.message:
        return event.message
    return None
