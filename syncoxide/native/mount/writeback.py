"""Files open for writing: their bytes live in a local spill file until they are uploaded.

A handle opened for writing gets a spill file in the mount's cache folder (the remote's
current bytes copied in when first needed, never if the file is new or truncated to nothing).
Writes and reads through that handle use the spill file; ``flush`` (which ``close()`` waits
for) uploads it with the provider's atomic ``write``, so a file written through the mount is at the
provider when ``close()`` returns, or ``close()`` reports the error and the spill file stays.
While a file has bytes not yet uploaded its ``user.syncoxide.state`` attribute says
``pending-upload``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide.providers.contract import Entry

_UPLOAD_CHUNK = 4 << 20


@dataclass
class WriteHandle:
    path: str
    spill: Path
    dirty: bool = False
    descriptor: int = field(default=-1)
    #: The remote file whose bytes are not copied into the spill file yet (None: nothing to
    #: copy, or copied); the file system fills it before the first read, write or upload.
    unfilled: Entry | None = None

    @classmethod
    def create(cls, path: str, folder: Path, number: int) -> WriteHandle:
        spill = folder / f"spill-{number}"
        descriptor = os.open(spill, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        return cls(path, spill, descriptor=descriptor)

    @property
    def size(self) -> int:
        if self.unfilled is not None:
            return self.unfilled.size
        return os.fstat(self.descriptor).st_size

    def write(self, data: bytes, offset: int) -> int:
        self.dirty = True
        return os.pwrite(self.descriptor, data, offset)

    def read(self, size: int, offset: int) -> bytes:
        return os.pread(self.descriptor, size, offset)

    def truncate(self, length: int) -> None:
        self.dirty = True
        os.ftruncate(self.descriptor, length)

    async def chunks(self) -> AsyncIterator[bytes]:
        offset = 0
        while chunk := os.pread(self.descriptor, _UPLOAD_CHUNK, offset):
            offset += len(chunk)
            yield chunk

    def close(self) -> None:
        os.close(self.descriptor)
        self.spill.unlink(missing_ok=True)
