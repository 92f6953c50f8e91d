# ruff: noqa: PTH123
# Plain ``os`` calls on ``str`` paths on purpose: this is the per-file hot path (10k files),
# and building ``Path`` objects there costs measurable time.
"""The blocking half of the local disk provider's reads, called from worker threads: a file's
blocks (from the page cache without waiting for the disk when it can) and whole-file hashes."""

from __future__ import annotations

import errno
import hashlib
import os

CHUNK = 1024 * 1024
#: preadv flag: fail with EAGAIN instead of waiting for the disk (Linux 4.14+).
_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None)


def hash_file(full: str, kind: str) -> str:
    # One buffer read into again and again: a new 1 MiB block per read kept two alive at a
    # time (the last one until the next read returned), beside a big copy's parts.
    hasher = hashlib.new(kind)
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(full, "rb", buffering=0) as handle:
        while got := handle.readinto(buffer):
            hasher.update(view[:got])
    return hasher.hexdigest()


class BlockReader:
    """The blocking half of ``open_read``, called from worker threads."""

    def __init__(self, full: str, offset: int, length: int | None) -> None:
        self.full, self.offset = full, offset
        self.remaining = -1 if length is None else length
        self.fd = -1
        self.finished = False
        self.first_hint = CHUNK
        self._slot = b""

    def open_and_read(self) -> bytes | None:
        """Open, and return the first block if the page cache holds it, else None (then read
        it with ``read(self.first_hint)`` in a thread). A disk read on the event loop made
        every other copy wait for the disk, one file at a time (profiled on a cold cache:
        10k small files' reads took 10 s of a first copy's loop time)."""
        self.fd = os.open(self.full, os.O_RDONLY)
        if self.offset:
            os.lseek(self.fd, self.offset, os.SEEK_SET)
        # Ask for what the file holds (+1 to see the end): a 1 MiB request for a 2 KiB file
        # maps and unmaps a 1 MiB buffer.
        self.first_hint = os.fstat(self.fd).st_size - self.offset + 1
        wanted = self.first_hint if self.remaining < 0 else min(self.first_hint, self.remaining)
        if wanted > CHUNK:
            # More than one block to read: one thread hop more is nothing beside them, and the
            # cached read's buffer plus its copy held two blocks at once (each part of a copy
            # in parts opens its own read).
            return None
        return self._read_cached(self.first_hint)

    def _read_cached(self, hint: int) -> bytes | None:
        size = max(1, min(CHUNK, hint))
        if self.remaining >= 0:
            size = min(size, self.remaining)
        if _NOWAIT is None or size == 0:
            return self.read(hint)
        buffer = bytearray(size)
        try:
            got = os.preadv(self.fd, [buffer], self.offset, _NOWAIT)
        except BlockingIOError:
            return None
        except OSError as error:
            if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
            return self.read(hint)  # a filesystem without RWF_NOWAIT: read as before
        if got == 0 and hint > 1:
            return None  # nothing cached yet
        if self.remaining > 0:
            self.remaining -= got
        # A short read is the end of the file only when it holds what fstat saw; a file that
        # grows meanwhile is caught by the copy's re-stat of the source after its stream.
        if got == size or got == hint - 1 or self.remaining == 0:
            self.finished = got < size or self.remaining == 0
        if self.finished:
            self.close()
        else:
            os.lseek(self.fd, self.offset + got, os.SEEK_SET)
        return bytes(memoryview(buffer)[:got])

    def read_into_slot(self, hint: int = CHUNK) -> None:
        """``read``, its block kept for ``take``."""
        self._slot = self.read(hint)

    def take(self) -> bytes:
        """The block ``read_into_slot`` read, no longer held here."""
        block, self._slot = self._slot, b""
        return block

    def read(self, hint: int = CHUNK) -> bytes:
        limit = max(1, min(CHUNK, hint))
        size = limit if self.remaining < 0 else min(limit, self.remaining)
        block = os.read(self.fd, size) if size else b""
        if self.remaining > 0:
            self.remaining -= len(block)
        if len(block) < size or self.remaining == 0:
            self.finished = True
            self.close()
        return block

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def read_range_into(full: str, offset: int, buffer: memoryview) -> int:
    """Fills ``buffer`` from ``offset`` of the file; the byte count (short at its end)."""
    fd = os.open(full, os.O_RDONLY)
    try:
        done = 0
        while done < len(buffer):
            got = os.preadv(fd, [buffer[done:]], offset + done)
            if got == 0:
                break
            done += got
        return done
    finally:
        os.close(fd)
