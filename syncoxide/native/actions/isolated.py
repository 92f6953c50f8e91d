"""Run one action's process under its limits; kill its whole process group when time is up.

The process starts in a new session (its own process group), so on timeout or cancel
``killpg`` takes it and everything it spawned (LibreOffice's ``oosplash`` starts
``soffice.bin``; a plain kill of the first would leave the second running). Output goes to
files rather than pipes: a chatty encoder can never fill a pipe and stall, and the caller may
read a progress file while the process runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from syncoxide.errors import ActionMemoryError, ActionTimeoutError, CancelledByUserError
from syncoxide.native.actions.limits import ActionLimits, apply_in_child

POLL_SECONDS = 0.05
STDERR_TAIL = 4000


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_limited(
    argv: Sequence[str],
    limits: ActionLimits,
    *,
    env: dict[str, str] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    on_tick: Callable[[], None] = lambda: None,
) -> Finished:
    """Run ``argv`` to its end under ``limits``; ``ActionTimeoutError`` when it overruns,
    ``CancelledByUserError`` when ``cancelled()`` turns true (checked every 50 ms)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,
            preexec_fn=lambda: apply_in_child(limits),  # setrlimit only: safe after fork
        )
        try:
            code = _wait(process, limits, started=started, cancelled=cancelled, on_tick=on_tick)
        finally:
            _kill_group(process)
        seconds = time.monotonic() - started
        return Finished(code, _read(out), _read(err)[-STDERR_TAIL:], seconds)


def _wait(
    process: subprocess.Popen[bytes],
    limits: ActionLimits,
    *,
    started: float,
    cancelled: Callable[[], bool],
    on_tick: Callable[[], None],
) -> int:
    while True:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return process.wait(POLL_SECONDS)
        on_tick()
        if time.monotonic() - started > limits.seconds:
            raise ActionTimeoutError(
                f"The action ran past its limit of {limits.seconds:g} s and was stopped.",
                hint="Nothing was written to the target. A file that takes this long is often"
                " damaged; try it by hand, or raise the limit.",
            )
        if cancelled():
            raise CancelledByUserError("The action was cancelled; nothing was written.")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process group, even when the leader already exited (its children may not)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _read(handle: IO[bytes]) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")


def ran_out_of_memory(finished: Finished) -> bool:
    """Signs that the address-space limit stopped the process (allocation failures)."""
    text = finished.stderr
    return "MemoryError" in text or "Cannot allocate memory" in text or "std::bad_alloc" in text


def memory_error(limits: ActionLimits) -> ActionMemoryError:
    return ActionMemoryError(
        f"The action needed more than its {limits.memory_bytes >> 20} MiB of memory and stopped.",
        hint="Nothing was written to the target. Try a smaller file.",
    )


def work_dir(parent: Path | None = None) -> tempfile.TemporaryDirectory[str]:
    """A private scratch folder for one job (a LibreOffice profile, partial outputs)."""
    return tempfile.TemporaryDirectory(prefix="syncoxide-action-", dir=parent)
