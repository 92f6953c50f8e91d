"""One borg run without asyncio, for a run nobody watches (a timer, a script, a pipe).

Without ``--progress`` borg writes only its ``--log-json`` log lines on stderr (a handful, more
only when it fails) and its ``--json`` answer on stdout at the end, so ``communicate()``
collects both and the log is read afterwards by the same :class:`BorgLogReader` and the same
error mapping (:func:`.settings.run_failure`) as the asyncio path in :mod:`.process`. Importing
this module costs no asyncio, which is most of what a second backup pays beyond borg itself.

Borg starts before anything only its end needs is loaded: ``meanwhile`` (the caller's imports
for reading borg's answer) runs while borg works, and the log reader is imported only when a run
failed, so on two cores that start-up cost leaves the wall time.

Ctrl-C (or any other exception while waiting) stops borg as :mod:`.process` does: SIGTERM,
which borg answers by writing a checkpoint and releasing the repository's lock, then a wait.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING

from syncoxide.errors import BackupError
from syncoxide.native.backup.settings import (
    STOP_GRACE_SECONDS,
    BorgSettings,
    finished,
    passphrase_pipe,
    run_failure,
)

if TYPE_CHECKING:
    from pathlib import Path


def _nothing() -> None:
    return None


def run_borg_blocking(
    settings: BorgSettings,
    operation: str,
    args: list[str],
    *,
    cwd: Path | None = None,
    meanwhile: Callable[[], object] = _nothing,
) -> bytes:
    """Run borg to the end; what it wrote on stdout (its ``--json`` answer). ``meanwhile``
    is called once borg has started, before waiting for it (if it raises, borg is stopped)."""
    command = settings.command(operation, *args)
    with passphrase_pipe(settings) as read_end:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=settings.environment(read_end),
            pass_fds=(read_end,) if read_end is not None else (),
            cwd=cwd,
        )
    try:
        meanwhile()
        output, log = process.communicate()
    except BaseException:
        _stop(process)
        raise
    if finished(process.returncode):
        return output
    raise _failure(settings, operation, process.returncode, log)


def _failure(settings: BorgSettings, operation: str, exit_code: int, log: bytes) -> Exception:
    from syncoxide.backup.borg_log import BorgLogReader

    reader = BorgLogReader()
    reader.feed(log)
    reader.close()
    error = run_failure(operation, exit_code, reader)
    assert error is not None  # borg did not finish
    if settings.diagnose is not None and type(error) is BackupError:
        _diagnose(settings)  # raises what it found: a changed host key, a refused key
    return error


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _diagnose(settings: BorgSettings) -> None:
    # Diagnosis probes an ssh server asynchronously; only a failed ssh:// run pays for the loop.
    from syncoxide.native.event_loop import run

    diagnose = settings.diagnose
    assert diagnose is not None

    async def probe() -> None:
        await diagnose()

    run(probe())
