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

# Watches the test process from outside: once it is gone (its PID is no longer the guard's
# parent, so a killed or crashed run), the server's whole process group is killed and its
# folders removed. Without it a run stopped by SIGKILL leaves servers (a PostgreSQL holding
# shared memory, an sshd on a port) running for ever. Polling the parent, not
# PR_SET_PDEATHSIG: that signal fires when the starting *thread* ends, and the kernel clears
# it when a server drops to another user (PostgreSQL runs as ``postgres``).
_GUARD = """
import os, shutil, signal, sys, time
parent, group, folders = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
while os.getppid() == parent:
    time.sleep(0.5)
try:
    os.killpg(group, signal.SIGKILL)
except ProcessLookupError:
    pass
for folder in folders:
    shutil.rmtree(folder, ignore_errors=True)
"""


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
def orphan_guard(group: int, folders: tuple[Path, ...] = ()) -> Iterator[None]:
    """Kills process group ``group`` and removes ``folders`` if this test process dies
    without stopping them itself (see ``_GUARD``); a normal stop ends the guard quietly."""
    guard = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _GUARD, str(os.getpid()), str(group)]
        + [str(folder) for folder in folders],
        start_new_session=True,  # outlives a kill of the test run's own process group
    )
    try:
        yield
    finally:
        guard.kill()
        guard.wait(timeout=10)


@contextlib.contextmanager
def running(
    command: list[str],
    port: int,
    log: Path,
    env: dict[str, str] | None = None,
    folders: tuple[Path, ...] = (),
) -> Iterator[subprocess.Popen[bytes]]:
    """Starts ``command`` in its own process group, waits for ``port``, stops it by PID.
    Should the test run die first, a guard stops it and removes ``folders``."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    try:
        with orphan_guard(process.pid, (*folders, log.parent)):
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
