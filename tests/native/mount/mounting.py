"""``syncoxide mount`` run as a user runs it, in its own process, and unmounted after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from syncoxide.cli.mount import fuse_problem
from tests.conftest import PROJECT_ROOT

needs_fuse = pytest.mark.skipif(fuse_problem() is not None, reason=str(fuse_problem()))
CLI = [sys.executable, "-m", "syncoxide.cli.main"]


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(config)}
    return subprocess.run(
        [*CLI, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@contextmanager
def mounted(config: Path, location: str, mountpoint: Path, *options: str) -> Iterator[Path]:
    """The mount while the block runs; unmounted with ``fusermount3 -u`` after, and the
    command must then have ended by itself with exit code 0."""
    mountpoint.mkdir(exist_ok=True)
    env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(config)}
    process = subprocess.Popen(
        [*CLI, "mount", location, str(mountpoint), *options],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: os.path.ismount(mountpoint) or process.poll() is not None)
        assert process.poll() is None, process.communicate()[0]
        yield mountpoint
    finally:
        if os.path.ismount(mountpoint):
            subprocess.run(["fusermount3", "-u", str(mountpoint)], check=False)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            output, _ = process.communicate()
    assert process.returncode == 0, output


def wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")
