"""One borg run: arguments in, ``--log-json`` events out, our error if it fails.

Borg is driven as Vorta drives it: a subprocess with ``--log-json`` (and ``--progress`` where a
bar helps), its stderr read line by line into :mod:`syncoxide.backup.borg_log` events while it
runs, its stdout either collected (``--json`` answers) or handed on as a stream (``extract
--stdout``, ``export-tar``, ``list --json-lines``). The passphrase reaches borg through a pipe
(``BORG_PASSPHRASE_FD``), never the command line or the child's environment, so no other
process can read it from ``/proc``.

A run that is cancelled (the CLI's Ctrl-C, a server shutting down) sends borg SIGTERM, which
borg handles by writing a checkpoint and releasing the repository's lock, and waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide.backup.borg_log import BORG_WARNING, BorgEvent, BorgLogReader, error_for
from syncoxide.errors import BackupError, ConfigError

EventSink = Callable[[BorgEvent], None]
#: Seconds borg waits for a repository lock before it reports LockTimeout.
LOCK_WAIT_SECONDS = 5
#: Seconds a SIGTERMed borg gets to write its checkpoint before it is killed.
STOP_GRACE_SECONDS = 30


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
        found = shutil.which(self.executable)
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


@dataclass
class BorgRun:
    """A borg process that was started; ``stdout`` streams what it writes there."""

    operation: str
    process: asyncio.subprocess.Process
    reader: BorgLogReader
    _stderr_task: asyncio.Task[None]
    diagnose: Callable[[], Awaitable[None]] | None = None

    @property
    def stdout(self) -> asyncio.StreamReader:
        assert self.process.stdout is not None
        return self.process.stdout

    async def finish(self) -> int:
        """Wait for borg; its exit code (0 or 1), or our error for what went wrong."""
        code = await self.process.wait()
        await self._stderr_task
        self.reader.close()
        if code in (0, BORG_WARNING):
            return code
        error = error_for(self.operation, code, self.reader)
        if self.diagnose is not None and type(error) is BackupError:
            await self.diagnose()  # raises what it found: a changed host key, a refused key
        raise error

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        with contextlib.suppress(asyncio.CancelledError):
            await self._stderr_task


async def start_borg(
    settings: BorgSettings,
    operation: str,
    args: list[str],
    *,
    on_event: EventSink | None = None,
    stdin: bool = False,
    cwd: Path | None = None,
) -> BorgRun:
    """Start ``borg OPERATION ARGS...``; stdout is a pipe, stdin one if ``stdin``."""
    command = settings.command(operation, *args)
    read_end, write_end = os.pipe() if settings.passphrase is not None else (None, None)
    try:
        if write_end is not None:
            # A passphrase is far below a pipe's buffer, so this write never blocks.
            os.write(write_end, (settings.passphrase or "").encode() + b"\n")
            os.close(write_end)
            write_end = None
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=settings.environment(read_end),
            pass_fds=(read_end,) if read_end is not None else (),
            cwd=cwd,
            limit=1 << 20,
        )
    finally:
        for fd in (read_end, write_end):
            if fd is not None:
                os.close(fd)
    reader = BorgLogReader()
    task = asyncio.create_task(_read_stderr(process, reader, on_event))
    return BorgRun(operation, process, reader, task, settings.diagnose)


async def _read_stderr(
    process: asyncio.subprocess.Process, reader: BorgLogReader, on_event: EventSink | None
) -> None:
    assert process.stderr is not None
    while chunk := await process.stderr.read(1 << 16):
        for event in reader.feed(chunk):
            if on_event is not None:
                on_event(event)


async def run_borg(
    settings: BorgSettings,
    operation: str,
    args: list[str],
    *,
    on_event: EventSink | None = None,
    cwd: Path | None = None,
) -> bytes:
    """Run borg to the end; what it wrote on stdout (its ``--json`` answer)."""
    run = await start_borg(settings, operation, args, on_event=on_event, cwd=cwd)
    try:
        output = await run.stdout.read()
        await run.finish()
    except BaseException:
        await run.stop()
        raise
    return output


async def feed_borg(
    settings: BorgSettings,
    operation: str,
    args: list[str],
    chunks: AsyncIterator[bytes],
    *,
    on_event: EventSink | None = None,
) -> bytes:
    """Run borg with ``chunks`` piped into its stdin (``import-tar ... -``); its stdout."""
    run = await start_borg(settings, operation, args, on_event=on_event, stdin=True)
    assert run.process.stdin is not None
    output_task = asyncio.create_task(run.stdout.read())
    try:
        await _pump(chunks, run.process.stdin)
        output = await output_task
        await run.finish()
    except BaseException:
        output_task.cancel()
        await run.stop()
        raise
    return output


async def _pump(chunks: AsyncIterator[bytes], sink: asyncio.StreamWriter) -> None:
    try:
        async for chunk in chunks:
            sink.write(chunk)
            await sink.drain()
    except (BrokenPipeError, ConnectionResetError):
        return  # borg stopped reading: its exit code and log say why
    sink.close()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        await sink.wait_closed()


async def stream_borg(
    settings: BorgSettings,
    operation: str,
    args: list[str],
    *,
    on_event: EventSink | None = None,
    block: int = 1 << 16,
) -> AsyncIterator[bytes]:
    """Run borg and yield its stdout as it comes (``extract --stdout``, ``export-tar -``).

    The stream ends only after borg finished well; a failure raises our error at the end, so
    a consumer never takes a cut stream for a whole one."""
    run = await start_borg(settings, operation, args, on_event=on_event)
    try:
        while chunk := await run.stdout.read(block):
            yield chunk
        await run.finish()
    finally:
        await run.stop()
