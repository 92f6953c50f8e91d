"""The SFTP side of ``WritesParts``: one partial file written at offsets by concurrent ranges.

The partial (``.sxpart-parts-<token>`` beside the final name, listed as PARTIAL) is opened
without truncating by every range, so ranges in flight on several pooled sessions never share a
file position and a resumed run finds what the last one wrote. A range's digest is read back
from the server, as the engine asks, so the journal only vouches for stored bytes. ``commit``
checks the size and, when the source listed one, the whole-file digest read back from the
server, sets the mtime and only then renames the partial into place (``posix-rename``).
"""

from __future__ import annotations

import hashlib
import posixpath
from contextlib import suppress

import asyncssh

from syncoxide.errors import IntegrityError

_READ = 4 * 1024 * 1024  # asyncssh splits a large read into parallel requests
_OPEN_FOR_PARTS = asyncssh.FXF_WRITE | asyncssh.FXF_CREAT  # no FXF_TRUNC: earlier ranges stay


def parts_name(final: str, token: str, prefix: str) -> str:
    return posixpath.join(posixpath.dirname(final), f"{prefix}parts-{token}")


async def open_for_parts(sftp: asyncssh.SFTPClient, partial: str) -> asyncssh.SFTPClientFile:
    return await sftp.open(partial, _OPEN_FOR_PARTS, encoding=None)


async def range_digest(
    sftp: asyncssh.SFTPClient, partial: str, *, offset: int, length: int, kind: str
) -> str | None:
    """Digest of ``length`` bytes at ``offset``, read from the server; None if the partial is
    gone or too short."""
    try:
        handle = await sftp.open(partial, "rb")
    except asyncssh.SFTPNoSuchFile:
        return None
    hasher = hashlib.new(kind)
    async with handle:
        end = offset + length
        while offset < end:
            block = await handle.read(min(_READ, end - offset), offset)
            if not isinstance(block, bytes) or not block:
                return None
            hasher.update(block)
            offset += len(block)
    return hasher.hexdigest()


async def commit(
    sftp: asyncssh.SFTPClient,
    names: tuple[str, str],
    *,
    size: int,
    seconds: int,
    whole: tuple[str, str] | None,
) -> None:
    """Checks the size (and the whole-file digest ``(kind, hex)`` if given), sets the mtime,
    then renames ``names`` = (partial, final)."""
    partial, final = names
    stored = (await sftp.stat(partial)).size
    if stored != size:
        raise IntegrityError(f"{final!r}: the parts hold {stored} bytes, not {size}.")
    if (
        whole is not None
        and await range_digest(sftp, partial, offset=0, length=size, kind=whole[0]) != whole[1]
    ):
        await discard(sftp, partial)
        raise IntegrityError(
            f"{final!r} does not match its source's listed {whole[0]} after the copy.",
            hint="The previous version was kept; the next run copies it again.",
        )
    await sftp.utime(partial, (seconds, seconds))
    await sftp.posix_rename(partial, final)


async def discard(sftp: asyncssh.SFTPClient, partial: str) -> None:
    with suppress(asyncssh.SFTPError):
        await sftp.remove(partial)
