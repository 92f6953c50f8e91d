"""How a sync run talks to people: a progress line on a terminal, a summary, or JSON."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from syncoxide.byte_names import display, json_text
from syncoxide.engine.outcome import Outcome
from syncoxide.engine.run import RunReport
from syncoxide.engine.summary import summary_json


class ProgressLine:
    """Rewrites one stderr line at most ten times a second; silent when not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.done = 0
        self.bytes = 0
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.written is not None:
            self.bytes += outcome.written.size
        now = time.monotonic()
        if self.enabled and now - self._last > 0.1:
            self._last = now
            rate = self.bytes / max(now - self.started, 1e-6) / 2**20
            self.stream.write(
                f"\r{self.done} actions done, {self.bytes / 2**20:.1f} MiB, {rate:.1f} MiB/s   "
            )
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")


def print_summary(report: RunReport, seconds: float, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    body = summary_json(report, seconds)
    if report.dry_run:
        for line in body["plan"]:
            print(display(line), file=stream)
    for item in body["skipped"]:
        print(display(f"skipped {item['side']}: {item['path']} ({item['reason']})"), file=stream)
    for item in body["conflicts"]:
        print(display(f"conflict: {item['path']}: {item['detail']}"), file=stream)
    for item in body["failures"]:
        print(display(f"FAILED {item['side']}: {item['path']}: {item['error']}"), file=stream)
    done = ", ".join(f"{n} {kind}" for kind, n in body["done"].items()) or "nothing to do"
    verb = "would do" if report.dry_run else "done"
    planned = f"{body['planned']} planned" if report.dry_run else done
    print(
        f"{body['mode']}: {verb}: {planned}; {body['bytes_copied'] / 2**20:.1f} MiB copied, "
        f"{len(body['failures'])} failed, {len(body['skipped'])} skipped, "
        f"{seconds:.2f} s",
        file=stream,
    )
    if report.resumed:
        print(f"resumed {len(report.resumed)} actions from an interrupted run", file=stream)


def print_json(body: dict[str, Any], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(json_text(body, indent=1) + "\n")
