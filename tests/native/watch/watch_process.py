"""A `syncoxide sync --watch` child process whose JSON lines (one per run) are read as they come."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


class WatchProcess:
    def __init__(
        self,
        source: Path | str,
        dest: Path | str,
        state: Path,
        *extra: str,
        env: dict[str, str] | None = None,
    ) -> None:
        command = [sys.executable, "-m", "syncoxide.cli", "sync", str(source), str(dest)]
        command += ["--watch", "--json", "--state-dir", str(state), *extra]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.runs: list[dict[str, Any]] = []
        self._lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip():  # one JSON object per run; anything else fails the test's parse
                self._lines.put(json.loads(line))

    def next_run(self, timeout: float = 20.0) -> dict[str, Any]:
        run = self._lines.get(timeout=timeout)
        self.runs.append(run)
        return run

    def drain(self) -> list[dict[str, Any]]:
        while True:
            try:
                self.runs.append(self._lines.get_nowait())
            except queue.Empty:
                return self.runs

    def stop(self, how: signal.Signals = signal.SIGINT) -> tuple[int, str]:
        os.kill(self.process.pid, how)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        self.drain()
        return self.process.returncode, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_until(check: Any, timeout: float) -> float:
    """Seconds until ``check()`` held; AssertionError after ``timeout``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - started
