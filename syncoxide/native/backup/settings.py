"""How borg is run, apart from how it is waited for: the command line, the environment, the
passphrase pipe and what an exit code means.

Both ways of waiting share this module: :mod:`.process` (asyncio, for progress, streams and
the server) and :mod:`.blocking` (a plain ``subprocess`` run, for a CLI ``create`` nobody
watches). It imports no asyncio, so the blocking path does not pay for it at start-up (about
50 ms of a second backup's fixed cost, see docs/backups.md), nor anything else that is not needed
before borg starts: borg's log reader is imported once a run failed, and borg is found on PATH
without ``shutil`` (which pulls in bz2 and lzma).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from syncoxide.errors import ConfigError, SyncoxideError

if TYPE_CHECKING:
    from pathlib import Path

    from syncoxide.backup.borg_log import BorgLogReader

#: :data:`.borg_log.BORG_WARNING`, here so a run that finished needs no log reader.
_BORG_WARNING = 1
#: Seconds borg waits for a repository lock before it reports LockTimeout.
LOCK_WAIT_SECONDS = 5
#: Seconds a SIGTERMed borg gets to write its checkpoint before it is killed.
STOP_GRACE_SECONDS = 30
#: What ``init`` offers (borg's names), here so the CLI's parser needs no asyncio to list them.
ENCRYPTIONS = ("repokey-blake2", "repokey", "keyfile-blake2", "keyfile", "authenticated-blake2")
DEFAULT_ENCRYPTION = "repokey-blake2"


@dataclass(frozen=True)
class BorgSettings:
    """How to run borg for one repository: who we are to it and where its state lives."""

    passphrase: str | None = field(default=None, repr=False)
    #: BORG_BASE_DIR: borg's cache, config and keyfiles; None keeps borg's default (~).
    base_dir: Path | None = None
    #: BORG_RSH: the ssh command for ssh:// repositories.
    rsh: str | None = None
    remote_path: str | None = None
    lock_wait: int = LOCK_WAIT_SECONDS
    executable: str = "borg"
    #: Asked when a run fails with no more precise error than "borg failed" (an ssh://
    #: repository whose connection closed): it raises the precise one if it finds it.
    diagnose: Callable[[], Awaitable[None]] | None = field(default=None, compare=False)

    def command(self, operation: str, *args: str) -> list[str]:
        found = _which(self.executable)
        if found is None:
            raise ConfigError(
                "borg is not installed.",
                hint="Install borg 1.2 or newer (Debian/Ubuntu: apt-get install borgbackup).",
            )
        common = ["--log-json", "--lock-wait", str(self.lock_wait)]
        if self.remote_path:
            common += ["--remote-path", self.remote_path]
        return [found, *common, operation, *args]

    def environment(self, passphrase_fd: int | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BORG_PASS")}
        env.pop("BORG_NEW_PASSPHRASE", None)
        # A question borg would ask on a terminal is answered "no": the run fails clearly
        # instead of hanging on a prompt nobody sees.
        env.update(
            BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK="no",
            BORG_RELOCATED_REPO_ACCESS_IS_OK="no",
            BORG_CHECK_I_KNOW_WHAT_I_AM_DOING="NO",
            BORG_DELETE_I_KNOW_WHAT_I_AM_DOING="NO",
            BORG_DISPLAY_PASSPHRASE="no",  # noqa: S106 (a yes/no answer, not a secret)
        )
        if passphrase_fd is not None:
            env["BORG_PASSPHRASE_FD"] = str(passphrase_fd)
        if self.base_dir is not None:
            env["BORG_BASE_DIR"] = str(self.base_dir)
        if self.rsh is not None:
            env["BORG_RSH"] = self.rsh
        return env


@contextmanager
def passphrase_pipe(settings: BorgSettings) -> Iterator[int | None]:
    """The read end of a pipe holding the passphrase (for ``BORG_PASSPHRASE_FD``), or None
    without one; closed here once the child was started with it."""
    if settings.passphrase is None:
        yield None
        return
    read_end, write_end = os.pipe()
    try:
        # A passphrase is far below a pipe's buffer, so this write never blocks.
        os.write(write_end, settings.passphrase.encode() + b"\n")
    finally:
        os.close(write_end)
    try:
        yield read_end
    finally:
        os.close(read_end)


def run_failure(operation: str, exit_code: int, reader: BorgLogReader) -> SyncoxideError | None:
    """None when borg finished (0, or 1 for warnings); else our error for how it failed."""
    if finished(exit_code):
        return None
    from syncoxide.backup.borg_log import error_for

    return error_for(operation, exit_code, reader)


def finished(exit_code: int) -> bool:
    """Borg made what it was asked for: 0, or 1 when it warned (a file it could not read)."""
    return exit_code in (0, _BORG_WARNING)


def _which(executable: str) -> str | None:
    """As ``shutil.which`` (the first executable file of that name on PATH, or the name itself
    when it holds a slash), without importing shutil and with it bz2 and lzma."""
    if os.sep in executable:
        return executable if _runnable(executable) else None
    for folder in os.get_exec_path():
        candidate = os.path.join(folder, executable)  # noqa: PTH118 (no pathlib to load)
        if _runnable(candidate):
            return candidate
    return None


def _runnable(path: str) -> bool:
    return os.access(path, os.F_OK | os.X_OK) and not os.path.isdir(path)  # noqa: PTH112
