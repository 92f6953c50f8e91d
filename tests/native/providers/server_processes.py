"""Real servers for provider tests, started on free loopback ports and stopped by PID.

Each start is bounded in time: a server that does not answer within ``READY_SECONDS`` fails
the fixture with its own log, instead of hanging the run. A missing binary fails clearly,
with the install command, instead of skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from syncoxide.providers.contract import Provider

READY_SECONDS = 30.0
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_binary(name: str, install: str) -> str:
    found = VENV_BIN / name if (VENV_BIN / name).exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed; run: {install}")
    return str(found)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server not ready in {READY_SECONDS}s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def running(
    command: list[str], port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Starts ``command`` in its own process group, waits for ``port``, stops it by PID."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    try:
        _wait_for_port(port, process, log)
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


async def with_closing_providers(
    open_provider: Callable[[], Any],
    body: Callable[[Callable[[], Awaitable[Provider]]], Awaitable[object]],
) -> object:
    """Run ``body`` (a conformance check) with a factory whose providers are closed afterwards:
    network providers hold connections that must be shut inside the same event loop."""
    opened: list[Any] = []

    async def make() -> Provider:
        opened.append(open_provider())
        return opened[-1]  # type: ignore[no-any-return]

    try:
        return await body(make)
    finally:
        for provider in opened:
            await provider.aclose()


def kill_when(
    run: subprocess.Popen[bytes], reached: Callable[[], bool], what: str, seconds: float = 90
) -> None:
    """SIGKILL ``run`` as soon as ``reached()`` holds (checked every 0.1 s); fails the test if
    the run ends first or ``what`` does not happen in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert run.poll() is None, "the run ended before it could be interrupted"
        if reached():
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=30)
            return
        time.sleep(0.1)
    run.kill()
    run.wait(timeout=30)
    raise AssertionError(f"{what} did not happen in time")
