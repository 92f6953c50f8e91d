"""One borg run: arguments in, ``--log-json`` events out, our error if it fails.

Borg is driven as Vorta drives it: a subprocess with ``--log-json`` (and ``--progress`` where a
bar helps), its stderr read line by line into :mod:`syncoxide.backup.borg_log` events while it
runs, its stdout either collected (``--json`` answers) or handed on as a stream (``extract
--stdout``, ``export-tar``, ``list --json-lines``). The passphrase reaches borg through a pipe
(``BORG_PASSPHRASE_FD``), never the command line or the child's environment, so no other
process can read it from ``/proc``.

A run that is cancelled (the CLI's Ctrl-C, a server shutting down) sends borg SIGTERM, which
borg handles by writing a checkpoint and releasing the repository's lock, and waits for it.

The command line, environment, passphrase pipe and the meaning of borg's exit code live in
:mod:`.settings`, shared with :mod:`.blocking` (the same run without asyncio).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from syncoxide.backup.borg_log import BorgEvent, BorgLogReader
from syncoxide.errors import BackupError
from syncoxide.native.backup.settings import (
    STOP_GRACE_SECONDS,
    BorgSettings,
    passphrase_pipe,
    run_failure,
)

EventSink = Callable[[BorgEvent], None]

__all__ = [
    "BorgRun",
    "BorgSettings",
    "EventSink",
    "feed_borg",
    "run_borg",
    "start_borg",
    "stream_borg",
]


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
        error = run_failure(self.operation, code, self.reader)
        if error is None:
            return code
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
    with passphrase_pipe(settings) as read_end:
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


#: What a write into borg's stdin gathers first. A provider tar comes as three small pieces per
#: file (header, bytes, padding): 10,000 files of 1-64 KiB were 30,000 writes and waits on the
#: pipe, each a system call and often a switch to borg and back; in 256 KiB writes, 1,300.
PIPE_WRITE = 256 * 1024


async def coalesced(
    chunks: AsyncIterator[bytes], at_least: int = PIPE_WRITE
) -> AsyncIterator[bytes]:
    """``chunks`` joined into pieces of at least ``at_least`` bytes (the last may be shorter);
    a chunk already that big passes on as it is, after what was gathered before it."""
    gathered = bytearray()
    async for chunk in chunks:
        if not gathered and len(chunk) >= at_least:
            yield chunk
            continue
        gathered += chunk
        if len(gathered) >= at_least:
            yield bytes(gathered)
            gathered.clear()
    if gathered:
        yield bytes(gathered)


async def _pump(chunks: AsyncIterator[bytes], sink: asyncio.StreamWriter) -> None:
    try:
        async for chunk in coalesced(chunks):
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
