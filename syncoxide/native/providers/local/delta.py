# ruff: noqa: PTH105, PTH108, PTH118, PTH120
"""The blocking half of ``LocalProvider.write_delta``: a changed big file, block by block.

How it works: the old file is duplicated into a partial file beside it
(``.sxpart-delta-<random>``), by a reflink clone (``FICLONE``: no data moves, on btrfs, XFS,
bcachefs) or else by ``copy_file_range`` (an in-kernel copy, no bytes through Python), cut or
grown to the new size. Each incoming block of the new content is compared byte for byte with
the same block of the old file; only a block that differs is written into the copy (``pwrite``)
and read back. The comparison reads the old file, not the copy: a clone is a new inode whose
pages are not cached, and reading it cold cost 7 s per GiB here against 0.3 s for the old
file's cached pages. That is sound because the copy equals the old file as it was when copied,
and the old file is checked (inode, size, mtime, ctime: any write moves ctime) to be the same
before the copy and after the last comparison; if it changed, nothing is committed.

The whole-file digest is thus over the bytes as stored: every block hashed was found equal to
what the copy holds. After an fsync the copy takes the final name with ``os.replace``, so the
old file stays whole under its name until that instant.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Any

from syncoxide.errors import IntegrityError
from syncoxide.native.providers.local.parts import write_at
from syncoxide.providers.contract import PARTIAL_PREFIX

#: ``_IOW(0x94, 9, int)`` from linux/fs.h: share the source's extents instead of copying.
FICLONE = 0x40049409
_COPY_STEP = 1 << 30


def delta_name(final: str) -> str:
    return os.path.join(os.path.dirname(final), f"{PARTIAL_PREFIX}delta-{os.urandom(8).hex()}")


def _clone(source_fd: int, target_fd: int, length: int) -> int:
    """Bytes copied to duplicate ``length`` bytes of the old file (0 for a reflink)."""
    try:
        fcntl.ioctl(target_fd, FICLONE, source_fd)
        return 0
    except OSError:
        pass  # EOPNOTSUPP / EXDEV / EINVAL: this filesystem has no reflinks (ext4, tmpfs)
    copied = 0
    while copied < length:
        step = os.copy_file_range(source_fd, target_fd, min(_COPY_STEP, length - copied))
        if step == 0:
            break  # the old file shrank underneath: the block comparison sees the rest
        copied += step
    return copied


async def blocks_of(chunks: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    """``chunks`` regrouped into ``size``-byte blocks (the last one shorter); chunks that are
    already one block each (the local reader's) pass without a copy."""
    pending = bytearray()
    async for chunk in chunks:
        if not pending and len(chunk) == size:
            yield chunk
            continue
        pending += chunk
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending)


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class DeltaFile:
    """The partial copy behind one delta update (called from worker threads)."""

    def __init__(self, final: str, size: int, hash_kind: str | None) -> None:
        self.final = final
        self.partial = delta_name(final)
        self.size = size
        self.hasher: Any = hashlib.new(hash_kind) if hash_kind else None
        self.fd = -1
        self.blocks_bytes = 0
        self.base_bytes = 0
        self.old_size = -1
        self.old_fd = -1
        self.old_id: tuple[int, ...] = ()
        #: Bytes from the start already compared (and written where they differed), in order.
        self.covered = 0

    def open(self) -> None:
        """Duplicate the old file (``FileNotFoundError`` when there is none)."""
        self.old_fd = os.open(self.final, os.O_RDONLY)
        self.old_id = _identity(os.fstat(self.old_fd))
        self.old_size = self.old_id[1]
        self.fd = os.open(self.partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        self.base_bytes = _clone(self.old_fd, self.fd, min(self.old_size, self.size))
        os.ftruncate(self.fd, self.size)

    def apply(self, block: bytes) -> None:
        """Make the copy hold ``block`` next, writing it only where it differs."""
        offset = self.covered
        if offset + len(block) > self.size:
            raise IntegrityError(
                f"{self.final!r}: the source gave more than its {self.size} listed bytes."
            )
        if os.pread(self.old_fd, len(block), offset) != block:
            write_at(self.fd, block, offset)
            self.blocks_bytes += len(block)
            if os.pread(self.fd, len(block), offset) != block:
                raise IntegrityError(f"{self.final!r}: a block did not read back as written.")
        self.covered += len(block)

    def absorb(self, block: bytes) -> None:
        """Add the next block to the whole-file digest (it equals the stored one once
        ``apply`` of that block returns; nothing is committed unless every apply did)."""
        if self.hasher is not None:
            self.hasher.update(block)

    @property
    def unchanged(self) -> bool:
        """True when the old file already held these bytes: only its mtime differs."""
        return self.blocks_bytes == 0 and self.old_size == self.size

    def touch_old(self, mtime_ns: int) -> os.stat_result:
        """Drop the copy and give the old file (equal to the new one) its new mtime."""
        self.discard()
        os.utime(self.final, ns=(mtime_ns, mtime_ns), follow_symlinks=False)
        return os.lstat(self.final)

    def digest(self) -> str | None:
        return None if self.hasher is None else str(self.hasher.hexdigest())

    def seal(self, mtime_ns: int, wanted: str | None) -> os.stat_result:
        if self.covered != self.size:
            raise IntegrityError(
                f"{self.final!r}: the source gave {self.covered} bytes, {self.size} expected: "
                "it changed while it was being copied.",
                hint="The previous version was kept; the next run copies the new one.",
            )
        if _identity(os.fstat(self.old_fd)) != self.old_id:
            raise IntegrityError(
                f"{self.final!r} was written to during its delta update.",
                hint="Nothing was committed; the update is tried again from its new state.",
            )
        if wanted is not None and wanted != self.digest():
            raise IntegrityError(
                f"{self.final!r} did not match its source after the delta update.",
                hint="The previous version was kept.",
            )
        os.utime(self.fd, ns=(mtime_ns, mtime_ns))
        return os.fstat(self.fd)

    def publish(self) -> None:
        os.close(self.old_fd)
        self.old_fd = -1
        os.close(self.fd)
        self.fd = -1
        os.replace(self.partial, self.final)

    def discard(self) -> None:
        if self.old_fd >= 0:
            os.close(self.old_fd)
            self.old_fd = -1
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with suppress(OSError):  # never created, or already gone
            os.unlink(self.partial)


async def apply_pipelined(delta: DeltaFile, blocks: AsyncIterator[bytes]) -> None:
    """Three stages at once: block n is compared (and written) in one worker thread and
    hashed in another while block n+1 is read from the source. On two cores the whole-file
    digest, the slowest stage (SHA-1 ~0.5 GB/s here), then sets the pace alone."""
    running: list[asyncio.Future[None]] = []
    try:
        async for block in blocks:
            await asyncio.gather(*running)
            running = [
                asyncio.ensure_future(asyncio.to_thread(delta.apply, block)),
                asyncio.ensure_future(asyncio.to_thread(delta.absorb, block)),
            ]
        await asyncio.gather(*running)
    finally:
        pending = [future for future in running if not future.done()]
        if pending:
            await asyncio.wait(pending)  # never close the file under a running stage
