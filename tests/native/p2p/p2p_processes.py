"""Running ``syncoxide send`` / ``receive`` as real processes, bounded in time, stopped by PID."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT_ROOT


@dataclass
class CliRun:
    process: subprocess.Popen[str]
    log: Path

    def wait(self, timeout: float = 60) -> tuple[int, str]:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return code, self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text()


def start_cli(args: list[str], log: Path) -> CliRun:
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "syncoxide.cli.main", *args],
        cwd=PROJECT_ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    handle.close()
    return CliRun(process, log)


def wait_for_link(sender: CliRun, timeout: float = 30) -> tuple[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = sender.output()
        link, code = re.search(r"Link: (\S+)", text), re.search(r"Code: (\S+)", text)
        if link and code:
            return link.group(1), code.group(1)
        if sender.process.poll() is not None:
            break
        time.sleep(0.05)
    sender.stop()
    raise AssertionError(f"the sender printed no link:\n{sender.output()}")
