"""Files framed as a POSIX (pax) tar stream, made on the fly for ``borg import-tar``.

A provider backup pipes this stream straight into borg's stdin: for each file a header
(:func:`file_header`), its bytes as the provider sends them, then :func:`padding` to the next
512-byte block; :data:`END` closes the stream. Nothing is buffered beyond one header, so a
backup of any size needs no temporary copy. Headers come from the standard library's
``tarfile.TarInfo.tobuf`` (pax format: long names, UTF-8 names and sizes over 8 GiB work).

Byte layout of one member (POSIX.1-2001 / pax)::

    offset  size          what
    0       512 (x n)     header block(s); a pax extended header first when a name needs it
    ...     size          the file's bytes
    ...     (-size) % 512 zero padding to the next block
    END     1024          two zero blocks: end of archive
"""

from __future__ import annotations

import tarfile

from syncoxide.errors import UsageError

BLOCK = 512
END = bytes(2 * BLOCK)


def _clean_path(path: str) -> str:
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise UsageError(f"'{path}' cannot be stored in a backup (empty or leaves its folder).")
    return "/".join(parts)


def file_header(path: str, size: int, mtime: float, mode: int = 0o644) -> bytes:
    info = tarfile.TarInfo(_clean_path(path))
    info.size = size
    info.mtime = max(0, int(mtime))
    info.mode = mode
    info.type = tarfile.REGTYPE
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def folder_header(path: str, mtime: float, mode: int = 0o755) -> bytes:
    info = tarfile.TarInfo(_clean_path(path))
    info.mtime = max(0, int(mtime))
    info.mode = mode
    info.type = tarfile.DIRTYPE
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def padding(size: int) -> bytes:
    return bytes(-size % BLOCK)
