# ruff: noqa: PTH103, PTH105, PTH108, PTH118, PTH120
"""The blocking half of ``LocalProvider``'s ``WritesParts``: one partial file, many ranges.

The partial file (``.sxpart-parts-<token>`` beside the final name) is created at the file's
full size, each range is written with ``pwrite`` at its offset (parts in flight never share a
file position), and it only takes the final name in ``commit`` after an fsync. Reading a range
back for its digest is what lets a resumed copy trust what an earlier run left.
"""

from __future__ import annotations

import hashlib
import os

from syncoxide.errors import IntegrityError
from syncoxide.providers.contract import PARTIAL_PREFIX

CHUNK = 1024 * 1024


def parts_name(final: str, token: str) -> str:
    return os.path.join(os.path.dirname(final), f"{PARTIAL_PREFIX}parts-{token}")


def open_for_parts(partial: str, size: int) -> int:
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(partial), exist_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT, 0o644)
    if os.fstat(fd).st_size != size:
        os.ftruncate(fd, size)
    return fd


def write_at(fd: int, block: bytes, offset: int) -> None:
    view = memoryview(block)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def range_digest(partial: str, offset: int, length: int, kind: str) -> str | None:
    """Digest of ``length`` bytes at ``offset``; None if the file is gone or too short."""
    try:
        fd = os.open(partial, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        hasher = hashlib.new(kind)
        end = offset + length
        while offset < end:
            block = os.pread(fd, min(CHUNK, end - offset), offset)
            if not block:
                return None
            hasher.update(block)
            offset += len(block)
        return hasher.hexdigest()
    finally:
        os.close(fd)


def commit(
    partial: str, final: str, *, size: int, mtime_ns: int, whole: tuple[str, str] | None
) -> os.stat_result:
    """fsync, check size (and the whole-file digest ``(kind, hex)`` if given), then rename."""
    fd = os.open(partial, os.O_RDWR)
    try:
        info = os.fstat(fd)
        if info.st_size != size:
            raise IntegrityError(f"{final!r}: the parts hold {info.st_size} bytes, not {size}.")
        if whole is not None and range_digest(partial, 0, size, whole[0]) != whole[1]:
            os.unlink(partial)
            raise IntegrityError(
                f"{final!r} does not match its source's listed {whole[0]} after the copy.",
                hint="The previous version was kept; the next run copies it again.",
            )
        os.utime(fd, ns=(mtime_ns, mtime_ns))
        os.fsync(fd)
        info = os.fstat(fd)
    finally:
        os.close(fd)
    os.replace(partial, final)
    return info
