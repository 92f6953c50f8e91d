"""The mounted file system's operations over a provider, as coroutines (no FUSE here).

``fuse_ops.py`` calls these from libfuse's threads through one event loop; tests may call
them directly. Paths arrive as FUSE gives them (``/a/b``) and are turned into provider paths
(``a/b``). Errors are ``OSError`` with an errno, which mfusepy hands back to the kernel.
"""

from __future__ import annotations

import errno
import itertools
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    NotFoundError,
    PermissionDeniedError,
)
from syncoxide.native.mount.blocks import BlockReader, ReadTuning
from syncoxide.native.mount.tree import TreeSnapshot
from syncoxide.native.mount.writeback import WriteHandle
from syncoxide.providers.contract import Entry, EntryKind, Provider

STATE_ATTRIBUTE = "user.syncoxide.state"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR


def fail(number: int) -> OSError:
    return OSError(number, os.strerror(number))


def errno_of(error: Exception) -> int:
    """The errno a provider error means to a program using the mount."""
    for kind, number in (
        (FileNotFoundError, errno.ENOENT),
        (NotFoundError, errno.ENOENT),
        (AlreadyExistsError, errno.EEXIST),
        (DirectoryNotEmptyError, errno.ENOTEMPTY),
        (PermissionDeniedError, errno.EACCES),
    ):
        if isinstance(error, kind):
            return number
    return error.errno if isinstance(error, OSError) and error.errno else errno.EIO


def provider_path(fuse_path: str) -> str:
    return fuse_path.strip("/")


class RemoteFileSystem:
    def __init__(
        self,
        provider: Provider,
        *,
        spill_folder: Path,
        read_only: bool = False,
        listing_ttl: float = 60.0,
        tuning: ReadTuning | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.read_only = read_only
        self.reader = BlockReader(provider, tuning or ReadTuning())
        self._spill_folder = spill_folder
        self._listing_ttl = listing_ttl
        self._clock = clock
        self._tree: TreeSnapshot | None = None
        self._stale = False
        self._writers: dict[int, WriteHandle] = {}
        self._numbers = itertools.count(1)

    def listing_changed(self) -> None:
        """The provider said something changed: list it again at the next lookup. A change
        reported while a listing runs marks that listing stale too, so none is missed."""
        self._stale = True

    async def tree(self) -> TreeSnapshot:
        tree = self._fresh_tree()
        if tree is None:
            now = self._clock()
            self._stale = False
            entries = [e async for page in self.provider.list_tree() for e in page]
            tree = self._tree = TreeSnapshot(entries, now)
            self._keep_pending(tree)
        return tree

    def _keep_pending(self, tree: TreeSnapshot) -> None:
        """A file being written that the provider does not hold yet stays listed: a fresh
        listing must not make it vanish from under its writer before ``close()`` uploads it."""
        for writer in self._writers.values():
            if writer.dirty and tree.entry(writer.path) is None:
                tree.put(Entry(writer.path, EntryKind.FILE, writer.size, time.time_ns()))

    async def entry(self, path: str) -> Entry:
        found = (await self.tree()).entry(provider_path(path))
        if found is None:
            raise fail(errno.ENOENT)
        return found

    async def getattr(self, path: str) -> dict[str, int]:
        entry = await self.entry(path)
        size = entry.size
        pending = self._pending(entry.path)
        if pending is not None:
            size = pending.size
        if entry.kind is EntryKind.DIR:
            mode = stat.S_IFDIR | (0o555 if self.read_only else 0o755)
            return {"st_mode": mode, "st_nlink": 2, "st_size": 0}
        mode = stat.S_IFREG | (0o444 if self.read_only else 0o644)
        mtime = entry.mtime_ns or 0
        return {
            "st_mode": mode,
            "st_nlink": 1,
            "st_size": size,
            "st_mtime": mtime,
            "st_ctime": mtime,
            "st_atime": mtime,
        }

    async def readdir(self, path: str) -> list[str]:
        folder = await self.entry(path)
        if folder.kind is not EntryKind.DIR:
            raise fail(errno.ENOTDIR)
        names = [e.path.rpartition("/")[2] for e in (await self.tree()).children(folder.path)]
        return [".", "..", *names]

    def state(self, path: str) -> bytes:
        return b"pending-upload" if self._pending(provider_path(path)) else b"uploaded"

    def _pending(self, path: str) -> WriteHandle | None:
        return next((h for h in self._writers.values() if h.path == path and h.dirty), None)

    def _writable(self) -> None:
        if self.read_only:
            raise fail(errno.EROFS)

    async def open(self, path: str, flags: int) -> int:
        entry = await self.entry(path)
        if entry.kind is EntryKind.DIR:
            raise fail(errno.EISDIR)
        if not flags & _WRITE_FLAGS:
            return 0  # readers share the block cache; no handle state needed
        self._writable()
        handle = self._new_handle(entry.path)
        if flags & os.O_TRUNC:
            handle.dirty = True
        else:
            handle.unfilled = entry  # copied in on first need (see _filled)
        return self._remember(handle)

    async def create(self, path: str) -> int:
        self._writable()
        tree = await self.tree()
        target = provider_path(path)
        parent = tree.entry(target.rpartition("/")[0])
        if parent is None or parent.kind is not EntryKind.DIR:
            raise fail(errno.ENOENT)
        handle = self._new_handle(target)
        handle.dirty = True  # an empty new file is still a file to create
        tree.put(Entry(target, EntryKind.FILE, 0, time.time_ns()))
        return self._remember(handle)

    def _new_handle(self, path: str) -> WriteHandle:
        return WriteHandle.create(path, self._spill_folder, next(self._numbers))

    def _remember(self, handle: WriteHandle) -> int:
        number = next(self._numbers)
        self._writers[number] = handle
        return number

    async def _filled(self, writer: WriteHandle) -> WriteHandle:
        """The handle once its spill file holds the remote's bytes. They are copied on first
        need, not at open: the kernel opens a file it is about to truncate to nothing (``>``
        in a shell, ``open(..., "w")``) without O_TRUNC and truncates it after, and copying
        first would download the whole file for nothing."""
        source = writer.unfilled
        if source is not None:
            offset = 0
            async for chunk in self.provider.open_read(source.path):
                os.pwrite(writer.descriptor, chunk, offset)
                offset += len(chunk)
            writer.unfilled = None
        return writer

    def _open_writer(self, path: str) -> WriteHandle | None:
        return next((h for h in reversed(self._writers.values()) if h.path == path), None)

    async def read(self, path: str, size: int, offset: int, handle: int) -> bytes:
        writer = self._writers.get(handle)
        if writer is not None:
            return (await self._filled(writer)).read(size, offset)
        entry = await self.entry(path)
        return await self.reader.read(entry, offset, size)

    def cached_read(self, path: str, size: int, offset: int, handle: int) -> bytes | None:
        """A read answered from the block cache without the event loop (any thread), or None
        when it needs the loop: a file being written, a listing to refresh, a block to fetch."""
        tree = self._fresh_tree()
        if handle in self._writers or tree is None:
            return None
        entry = tree.entry(provider_path(path))
        if entry is None or entry.kind is not EntryKind.FILE:
            return None
        return self.reader.cached_read(entry, offset, size)

    def _fresh_tree(self) -> TreeSnapshot | None:
        tree = self._tree
        if tree is None or self._stale or self._clock() - tree.taken_at > self._listing_ttl:
            return None
        return tree

    async def write(self, data: bytes, offset: int, handle: int) -> int:
        self._writable()
        writer = self._writers.get(handle)
        if writer is None:
            raise fail(errno.EBADF)
        return (await self._filled(writer)).write(data, offset)

    async def truncate(self, path: str, length: int, handle: int | None) -> None:
        """Truncate through an open handle when there is one: the kernel truncates a file it
        opened for writing by path, with no handle, and uploading that empty file at once
        would leave the provider holding nothing if the writer never finishes."""
        self._writable()
        writer = self._writers.get(handle) if handle else self._open_writer(provider_path(path))
        if writer is not None:
            if length == 0:
                writer.unfilled = None  # none of the old bytes survive: copy nothing
            writer = await self._filled(writer)
            writer.truncate(length)
            return
        temporary = await self.open(path, os.O_RDWR)
        try:
            self._writers[temporary].truncate(length)
            await self.flush(temporary)
        finally:
            self.release(temporary)

    async def flush(self, handle: int) -> None:
        """Upload a handle's bytes if any changed; ``close()`` waits for this."""
        writer = self._writers.get(handle)
        if writer is None or not writer.dirty:
            return
        try:
            await self._filled(writer)
            stored = await self.provider.write(writer.path, writer.chunks())
        except Exception as error:
            raise fail(errno_of(error)) from error
        writer.dirty = False
        (await self.tree()).put(stored)

    def release(self, handle: int) -> None:
        writer = self._writers.pop(handle, None)
        if writer is not None:
            writer.close()

    async def mkdir(self, path: str) -> None:
        self._writable()
        target = provider_path(path)
        await self.provider.mkdir(target)
        (await self.tree()).put(Entry(target, EntryKind.DIR))

    async def unlink(self, path: str) -> None:
        self._writable()
        entry = await self.entry(path)
        if entry.kind is EntryKind.DIR:
            raise fail(errno.EISDIR)
        await self.provider.delete(entry.path)
        (await self.tree()).remove(entry.path)

    async def rmdir(self, path: str) -> None:
        self._writable()
        entry = await self.entry(path)
        tree = await self.tree()
        if entry.kind is not EntryKind.DIR:
            raise fail(errno.ENOTDIR)
        if tree.children(entry.path):
            raise fail(errno.ENOTEMPTY)
        await self.provider.delete(entry.path)
        tree.remove(entry.path)

    async def rename(self, old: str, new: str) -> None:
        self._writable()
        source, target = provider_path(old), provider_path(new)
        tree = await self.tree()
        existing = tree.entry(target)
        if existing is not None:  # rename(2) replaces a file; the provider never overwrites
            if existing.kind is EntryKind.DIR:
                raise fail(errno.EEXIST)
            await self.provider.delete(target)
            tree.remove(target)
        await self.provider.move(source, target)
        tree.move(source, target)

    async def utimens(self, path: str, mtime_ns: int) -> None:
        self._writable()
        entry = await self.entry(path)
        if entry.kind is EntryKind.FILE and self._pending(entry.path) is None:
            await self.provider.set_mtime(entry.path, mtime_ns)
            (await self.tree()).put(Entry(entry.path, entry.kind, entry.size, mtime_ns))
