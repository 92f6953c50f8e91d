"""Making many freshly written files durable at once, before they take their final names.

A local write is published (renamed to its final name) only after its bytes are on stable
storage. One ``fsync`` per file costs one journal commit and one disk-cache flush per file;
``syncfs`` costs one for the batch but also writes out every other program's dirty pages on
the same filesystem, so its time depends on what else runs on the machine. On ext4 and XFS a
batch is made durable the way ``git``'s ``core.fsyncMethod=batch`` does it:

1. ``sync_file_range(WRITE)`` on every file of the batch: their writeback starts together;
2. ``sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER)`` on each: their data has reached the
   device (perhaps only its volatile cache);
3. ``fsync`` of one new empty file made after step 2 in the destination root: its journal
   commit covers every earlier metadata change of the filesystem (the batch's sizes and block
   allocations), and the commit flushes the device cache, which holds step 2's data.

Files on another filesystem than the root (a mount inside the tree), and other filesystems
(btrfs logs each file's fsync on its own), get one ``fsync`` each.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from syncoxide.providers.contract import PARTIAL_PREFIX

_SYNC_FILE_RANGE_WRITE = 2
_SYNC_FILE_RANGE_WAIT = 1 | 2 | 4  # WAIT_BEFORE | WRITE | WAIT_AFTER
#: statfs f_type of the filesystems whose journal commit covers all earlier metadata changes.
_ORDERED_JOURNALS = frozenset({0xEF53, 0x58465342})  # ext2/3/4, XFS
#: Below this many files a batch is plain fsyncs: the anchor file would cost more.
_BATCH_FROM = 3


def _libc_call(name: str, argtypes: list[Any]) -> Any:
    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = argtypes
    function.restype = ctypes.c_int
    return function


_SYNC_FILE_RANGE = _libc_call(
    "sync_file_range", [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
)
_STATFS = _libc_call("statfs", [ctypes.c_char_p, ctypes.c_void_p])


def _checked(result: int) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def journal_covers_batch(folder: str) -> bool:
    """True when ``folder``'s filesystem commits all earlier metadata with any one fsync."""
    if _SYNC_FILE_RANGE is None or _STATFS is None:
        return False
    buffer = ctypes.create_string_buffer(256)  # struct statfs: f_type is the first long
    if _STATFS(os.fsencode(folder), buffer) != 0:
        return False
    f_type = ctypes.c_long.from_buffer(buffer).value & 0xFFFFFFFF
    return f_type in _ORDERED_JOURNALS


def make_durable(fds: list[int], anchor: str | None) -> None:
    """Flush the files behind ``fds`` to stable storage (blocking; call from a thread).

    ``anchor``: a folder on a filesystem where ``journal_covers_batch`` holds, or None."""
    if anchor is None or len(fds) < _BATCH_FROM:
        for fd in fds:
            os.fsync(fd)
        return
    device = Path(anchor).stat().st_dev
    batch = [fd for fd in fds if os.fstat(fd).st_dev == device]
    for fd in batch:
        _checked(_SYNC_FILE_RANGE(fd, 0, 0, _SYNC_FILE_RANGE_WRITE))
    for fd in batch:
        _checked(_SYNC_FILE_RANGE(fd, 0, 0, _SYNC_FILE_RANGE_WAIT))
    _commit_journal(anchor)
    done = set(batch)
    for fd in fds:
        if fd not in done:
            os.fsync(fd)


def _commit_journal(folder: str) -> None:
    # A partial-file name: a crash between create and unlink leaves a file the next run drops.
    path = Path(folder) / f"{PARTIAL_PREFIX}commit-{os.urandom(6).hex()}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
        with suppress(OSError):
            path.unlink()


class GroupCommit:
    """Batches the durability waits of concurrent writes into few flushes.

    A flush starts when ``batch_files`` writers wait or ``window_s`` after the first one
    arrived, whichever comes first; writers arriving while it runs wait for the next one.
    Few big batches, not many small ones: every flush is a journal commit, and file creations
    in the folders being written stall behind each commit (profiled: 10k small files made
    ~1,500 flushes of ~6 files, and their creates averaged 150 us instead of 20 us). A writer
    still returns only after its bytes are on stable storage.
    """

    def __init__(self, anchor: str | None, batch_files: int = 128, window_s: float = 0.025):
        self._anchor = anchor
        self._batch_files = batch_files
        self._window_s = window_s
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []
        #: Done when a batch is full; made on the running loop (a provider may outlive a loop).
        self._full: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    async def flush(self, fd: int) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append((fd, future))
        full = len(self._waiting) >= self._batch_files
        if full and self._full is not None and not self._full.done():
            self._full.set_result(None)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        while self._waiting:
            if len(self._waiting) < self._batch_files:
                self._full = asyncio.get_running_loop().create_future()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._full, self._window_s)
            batch, self._waiting = self._waiting, []
            try:
                await asyncio.to_thread(make_durable, [fd for fd, _ in batch], self._anchor)
            except OSError as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(None)
