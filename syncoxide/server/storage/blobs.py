"""The embedded blob store: one file per key under ``<data-dir>/blobs``.

A blob is written to a temporary name in the same folder, flushed and renamed into place, so
a reader sees either the old bytes, the new bytes or nothing, never half a file.
"""

from __future__ import annotations

import asyncio
import errno
import os
import re
import secrets
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from syncoxide.errors import NotFoundError, UsageError
from syncoxide.native.atomic_file import fsync_folder
from syncoxide.server.storage.owner_only import create_owner_only, mkdir_owner_only

_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
TEMP_SUFFIX = ".partial"


def check_key(key: str) -> list[str]:
    parts = key.split("/")
    if not parts or not all(_SEGMENT.fullmatch(p) and not p.endswith(TEMP_SUFFIX) for p in parts):
        raise UsageError(f"{key!r} is not a valid blob key.")
    return parts


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        mkdir_owner_only(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key))

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        target = self._path(key)
        mkdir_owner_only(target.parent)
        temp = target.with_name(f"{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
        written = 0
        try:
            with create_owner_only(temp) as out:
                async for chunk in chunks:
                    out.write(chunk)
                    written += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            temp.replace(target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return written

    async def adopt(self, key: str, path: Path) -> int:
        """Rename ``path`` into place: an upload finished on this disk costs no second write.
        Another file system falls back to a streamed copy."""
        target = self._path(key)
        mkdir_owner_only(target.parent)
        size = path.stat().st_size
        with path.open("rb") as source:
            os.fsync(source.fileno())
        try:
            path.replace(target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            size = await self.put(key, _file_chunks(path))
            path.unlink()
            return size
        fsync_folder(target.parent)
        return size

    async def read(
        self, key: str, chunk_size: int = 1 << 16, start: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError) as error:
            raise NotFoundError(f"No blob {key!r}.") from error
        left = length
        with handle:
            handle.seek(start)
            while left is None or left > 0:
                chunk = handle.read(chunk_size if left is None else min(chunk_size, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    async def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    async def delete(self, key: str) -> bool:
        path = self._path(key)
        if not path.is_file():
            return False
        path.unlink()
        return True

    async def keys(self, prefix: str) -> Sequence[str]:
        # Only the folder the prefix names is walked (not every blob of every user), in a
        # thread: a large store takes a while to walk.
        return await asyncio.to_thread(self._keys, prefix)

    def _keys(self, prefix: str) -> list[str]:
        found = []
        folder = prefix.rpartition("/")[0]
        for path in (self._path(folder) if folder else self.root).rglob("*"):
            if path.is_file() and not path.name.endswith(TEMP_SUFFIX):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk
