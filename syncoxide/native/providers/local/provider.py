# ruff: noqa: PTH103, PTH104, PTH106, PTH108, PTH118, PTH120
# Plain ``os`` calls on ``str`` paths on purpose: this is the per-file hot path (10k files),
# and building ``Path`` objects there costs measurable time.
"""The local disk provider (CPython).

Writes go to a hidden partial file (``.sxpart-<random>``) in the target folder, are hashed as
they are written, get their mtime, are fsynced, and only then take the final name with
``os.replace``: a crash leaves at most a partial file (listed as PARTIAL and removed by the next
run), never a half-written file under its final name. Blocking calls run in worker threads;
small files take one thread hop for the whole write.
"""

from __future__ import annotations

import asyncio
import os
import stat as stat_flags
from collections.abc import AsyncIterator
from contextlib import suppress
from pathlib import Path

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    UsageError,
)
from syncoxide.native.providers.local.delta import DeltaFile, apply_pipelined, blocks_of
from syncoxide.native.providers.local.durable import GroupCommit, journal_covers_batch
from syncoxide.native.providers.local.listing import (
    entry_from_stat,
    file_id_of,
    scan_folder,
    translated,
)
from syncoxide.native.providers.local.parts import commit as commit_parts
from syncoxide.native.providers.local.parts import (
    open_for_parts,
    parts_name,
    range_digest,
    write_at,
)
from syncoxide.native.providers.local.reading import (
    CHUNK,
    BlockReader,
    hash_file,
    read_range_into,
)
from syncoxide.native.providers.local.writing import PartialWriter
from syncoxide.providers.contract import (
    PARTIAL_PREFIX,
    DeltaWritten,
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    PartPlan,
    PrunePredicate,
)

_PAGE = 5000


class LocalProvider:
    """A folder on this machine.

    ``absent_ok``: the folder may not exist yet (a sync's destination seen by a dry run); it
    then lists as empty. Its parent must be a folder all the same.
    """

    def __init__(
        self, root: str | os.PathLike[str], *, durable: bool = True, absent_ok: bool = False
    ) -> None:
        self._root = Path(root).absolute()
        absent = absent_ok and not self._root.exists() and self._root.parent.is_dir()
        if not (absent or self._root.is_dir()):
            raise UsageError(
                f"{str(self._root)!r} is not a folder.",
                hint="Nothing was changed. Create it first or check the path.",
            )
        self._durable = durable
        self._group_commit: GroupCommit | None = None
        self._features = Features(
            case_sensitive=True,
            mtime_precision_ns=1,
            server_side_move=True,
            hashes_cheaply=True,
            keeps_file_ids=True,
            byte_names=os.name == "posix",  # POSIX names are bytes; Windows names are UTF-16
        )

    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return f"local:{os.path.realpath(self._root)}"

    def full(self, path: str) -> str:
        if path.startswith("/") or ".." in path.split("/"):
            raise UsageError(f"{path!r} is not a path inside the sync root.")
        return os.path.join(self._root, path) if path else str(self._root)

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        # Scanned on the event loop, one folder at a time, yielding between folders: with a
        # worker thread per side, the two walks' per-file GIL hand-offs made listing 2-4x
        # slower than doing it here (10k files: ~50 ms per side).
        if not self._root.exists():
            return  # absent_ok: a folder not made yet holds nothing
        pending = [("", str(self._root))]
        page: list[Entry] = []
        while pending:
            relative, folder = pending.pop()
            with translated(relative or str(self._root)):
                page += scan_folder(relative, folder, prune, pending)
            if len(page) >= _PAGE:
                yield page
                page = []
            await asyncio.sleep(0)
        if page:
            yield page

    async def stat(self, path: str) -> Entry:
        full = self.full(path)
        with translated(path):
            return entry_from_stat(path, os.lstat(full), full)

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        # The first read happens inline and a short read (a small file) closes at once, so a
        # small file costs no thread hop; later chunks of a large file are read in a thread.
        reader = BlockReader(self.full(path), offset, length)
        with translated(path):
            block = reader.open_and_read()  # inline when cached: most files are one read
            if block is None:
                block = await _in_thread(reader, reader.first_hint)
        try:
            while block:
                yield block
                if reader.finished:
                    return
                # Let go of the block just taken before reading the next: held across the
                # read, each stream of a copy in parts kept two 1 MiB blocks alive.
                block = b""
                with translated(path):
                    block = await _in_thread(reader)
        finally:
            reader.close()

    async def read_into(self, path: str, offset: int, buffer: memoryview) -> int:
        """``ReadsInto``: a range straight into the caller's buffer, in a worker thread."""
        with translated(path):
            return await asyncio.to_thread(read_range_into, self.full(path), offset, buffer)

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        final = self.full(path)
        partial = os.path.join(os.path.dirname(final), PARTIAL_PREFIX + os.urandom(8).hex())
        writer = PartialWriter(partial, hash_kind, expected_digest, path)
        iterator = aiter(chunks)
        with translated(path):
            try:
                first = await anext(iterator, None)
                second = await anext(iterator, None) if first is not None else None
                blocks = [block for block in (first, second) if block]
                if second is None:
                    # A small file: writing it here costs less than a thread round trip
                    # under the GIL (measured: fewer futex waits, less CPU); only the fsync
                    # wait leaves the event loop, batched with other writers.
                    writer.open_and_write(blocks)
                    del first, blocks  # the flush may wait a while: hold no file bytes
                else:
                    await asyncio.to_thread(writer.open_and_write, blocks)
                    async for block in iterator:
                        await asyncio.to_thread(writer.append, block)
                info = writer.seal(mtime_ns)
                if self._durable:
                    await self._flusher().flush(writer.fd)
                writer.publish(final)
            except BaseException:
                writer.discard()
                raise
        digest = writer.digest()
        return Entry(
            path,
            EntryKind.FILE,
            info.st_size,
            info.st_mtime_ns,
            {hash_kind: digest} if hash_kind and digest else {},
            file_id=file_id_of(info),  # the partial's inode, which the rename kept
        )

    def _flusher(self) -> GroupCommit:
        # Made at the first write: the root of a destination may not exist before.
        if self._group_commit is None:
            root = str(self._root)
            self._group_commit = GroupCommit(root if journal_covers_batch(root) else None)
        return self._group_commit

    # -- WritesParts: big files in concurrent ranges, resumable (see engine/parts.py) --------
    async def begin_parts(self, path: str, token: str, plan: PartPlan) -> str | None:
        # The partial file is made by the first range written; parts read back in any kind.
        return None

    async def write_part(
        self, path: str, token: str, offset: int, chunks: AsyncIterator[bytes], *, size: int
    ) -> None:
        partial = parts_name(self.full(path), token)
        with translated(path):
            fd = await asyncio.to_thread(open_for_parts, partial, size)
            try:
                async for block in chunks:
                    await asyncio.to_thread(write_at, fd, block, offset)
                    offset += len(block)
            finally:
                os.close(fd)

    async def part_digest(
        self, path: str, token: str, *, offset: int, length: int, kind: str
    ) -> str | None:
        partial = parts_name(self.full(path), token)
        with translated(path):
            return await asyncio.to_thread(range_digest, partial, offset, length, kind)

    async def commit_parts(
        self,
        path: str,
        token: str,
        *,
        size: int,
        mtime_ns: int,
        whole_digest: str | None,
        hash_kind: str | None,
    ) -> Entry:
        final = self.full(path)
        whole = (hash_kind, whole_digest) if hash_kind and whole_digest else None
        with translated(path):
            info = await asyncio.to_thread(
                commit_parts,
                parts_name(final, token),
                final,
                size=size,
                mtime_ns=mtime_ns,
                whole=whole,
            )
        hashes = {whole[0]: whole[1]} if whole else {}
        return Entry(
            path, EntryKind.FILE, info.st_size, info.st_mtime_ns, hashes, file_id=file_id_of(info)
        )

    async def discard_parts(self, path: str, token: str) -> None:
        with suppress(OSError):
            os.unlink(parts_name(self.full(path), token))

    # -- WritesDeltas: a changed big file, only its changed blocks written (local/delta.py) ---
    async def write_delta(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        size: int,
        block_bytes: int,
        mtime_ns: int,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> DeltaWritten:
        delta = DeltaFile(self.full(path), size, hash_kind)
        with translated(path):
            try:
                await asyncio.to_thread(delta.open)
                await apply_pipelined(delta, blocks_of(chunks, block_bytes))
                info = delta.seal(mtime_ns, expected_digest() if expected_digest else None)
                if delta.unchanged:
                    info = delta.touch_old(mtime_ns)  # a `touch`: no need for a new file
                else:
                    if self._durable:
                        await self._flusher().flush(delta.fd)
                    delta.publish()
            except BaseException:
                delta.discard()
                raise
        digest = delta.digest()
        hashes = {hash_kind: digest} if hash_kind and digest else {}
        entry = Entry(
            path, EntryKind.FILE, info.st_size, info.st_mtime_ns, hashes, file_id=file_id_of(info)
        )
        return DeltaWritten(entry, delta.blocks_bytes, delta.base_bytes)

    async def delete(self, path: str) -> None:
        full = self.full(path)
        with translated(path):
            try:
                if stat_flags.S_ISDIR(os.lstat(full).st_mode):
                    os.rmdir(full)
                else:
                    os.unlink(full)
            except OSError as error:
                if error.errno in (39, 66):  # ENOTEMPTY on Linux / BSD
                    raise DirectoryNotEmptyError(f"Folder {path!r} is not empty.") from error
                raise

    async def mkdir(self, path: str) -> None:
        with translated(path):
            os.makedirs(self.full(path), exist_ok=True)

    async def move(self, source: str, target: str) -> None:
        full_target = self.full(target)
        with translated(source):
            if os.path.lexists(full_target):
                raise AlreadyExistsError(f"{target!r} already exists.")
            os.makedirs(os.path.dirname(full_target), exist_ok=True)
            os.rename(self.full(source), full_target)

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        with translated(path):
            os.utime(self.full(path), ns=(mtime_ns, mtime_ns), follow_symlinks=False)

    async def hash(self, path: str, kind: str) -> str:
        with translated(path):
            return await asyncio.to_thread(hash_file, self.full(path), kind)


async def _in_thread(reader: BlockReader, hint: int = CHUNK) -> bytes:
    """The reader's next block, read in a worker thread.

    Handed over through the reader, not as the thread's result: the futures that carry a
    result to the event loop reference each other and live until the garbage collector's
    next pass, and so did each block they carried (up to five 1 MiB blocks at once beside a
    copy in parts, measured with tracemalloc)."""
    await asyncio.to_thread(reader.read_into_slot, hint)
    return reader.take()
