"""The bridge between libfuse (through mfusepy) and ``RemoteFileSystem``.

libfuse calls these methods from its own threads, one per request; each hands its coroutine to
one asyncio loop running in a background thread and waits for the answer, so provider clients
(aiobotocore, asyncssh, httpx) live on one loop as everywhere else. Any failure becomes an
errno for the kernel: ``ENOENT`` for a missing file, ``EROFS`` on a read-only mount, ``EIO``
for a provider that failed (logged with its message).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import mfusepy

from syncoxide.native.mount.filesystem import STATE_ATTRIBUTE, RemoteFileSystem, errno_of

T = TypeVar("T")
log = logging.getLogger("syncoxide.mount")


class LoopThread:
    """An event loop in a daemon thread that FUSE threads submit coroutines to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


class MountOperations(mfusepy.Operations):  # type: ignore[misc]
    use_ns = True  # times in nanoseconds, as the provider contract keeps them

    def __init__(self, filesystem: RemoteFileSystem, loop: LoopThread) -> None:
        self.fs = filesystem
        self.loop = loop

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        try:
            return self.loop.run(work)
        except OSError as error:
            raise mfusepy.FuseOSError(error.errno or errno.EIO) from error
        except Exception as error:  # a provider error: the program sees an errno
            number = errno_of(error)
            if number == errno.EIO:
                log.error("%s", error)
            raise mfusepy.FuseOSError(number) from error

    def getattr(self, path: str, fh: int | None = None) -> dict[str, int]:
        return self._call(self.fs.getattr(path))

    def readdir(self, path: str, fh: int) -> list[str]:
        return self._call(self.fs.readdir(path))

    def open(self, path: str, flags: int) -> int:
        return self._call(self.fs.open(path, flags))

    def create(self, path: str, mode: int, fi: Any = None) -> int:
        return self._call(self.fs.create(path))

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        cached = self.fs.cached_read(path, size, offset, fh)  # no hop to the loop
        return cached if cached is not None else self._call(self.fs.read(path, size, offset, fh))

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        return self._call(self.fs.write(data, offset, fh))

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        self._call(self.fs.truncate(path, length, fh))
        return 0

    def flush(self, path: str, fh: int) -> int:
        self._call(self.fs.flush(fh))
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        return self.flush(path, fh)

    def release(self, path: str, fh: int) -> int:
        self._call(_now(self.fs.release, fh))
        return 0

    def mkdir(self, path: str, mode: int) -> int:
        self._call(self.fs.mkdir(path))
        return 0

    def unlink(self, path: str) -> int:
        self._call(self.fs.unlink(path))
        return 0

    def rmdir(self, path: str) -> int:
        self._call(self.fs.rmdir(path))
        return 0

    def rename(self, old: str, new: str) -> int:
        self._call(self.fs.rename(old, new))
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        if times is not None:
            self._call(self.fs.utimens(path, times[1]))
        return 0

    def chmod(self, path: str, mode: int) -> int:
        return 0  # providers keep no permissions; accepting keeps `cp -p` working

    def chown(self, path: str, uid: int, gid: int) -> int:
        return 0

    def getxattr(self, path: str, name: str, position: int = 0) -> bytes:
        if name != STATE_ATTRIBUTE:
            raise mfusepy.FuseOSError(errno.ENODATA)
        self._call(self.fs.entry(path))
        return self.fs.state(path)

    def listxattr(self, path: str) -> list[str]:
        return [STATE_ATTRIBUTE]

    def statfs(self, path: str) -> dict[str, int]:
        return {"f_bsize": 1 << 20, "f_frsize": 1 << 20, "f_namemax": 255}


async def _now(function: Callable[..., T], *args: Any) -> T:
    """Run a plain method on the loop thread, in order with the coroutines."""
    return function(*args)
