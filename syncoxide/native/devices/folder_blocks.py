"""A synced folder's blocks: read for a peer, and assembled into a file a peer sent.

A block is read where the index says it is, else anywhere the folder holds the same hash (the
file may have been renamed aside meanwhile), and always checked against its hash. A file from a
peer is assembled in ``<folder>/.syncoxide/tmp``: blocks we hold already are copied locally,
the rest fetched, every one checked against its hash, then fsynced; the caller renames it into
place. The writes and the fsync run in worker threads: the event loop must keep acknowledging
the data channel meanwhile or the sender stalls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import uuid
from pathlib import Path
from typing import BinaryIO

from syncoxide.devices.index import BLOCK_SIZE, STATE_FOLDER, FileEntry
from syncoxide.engine.device_sync.folder_port import FetchBlock
from syncoxide.errors import IntegrityError
from syncoxide.native.devices.folder_state import FolderState

WRITE_BYTES = 4 * 1024 * 1024  # blocks written per trip to a worker thread


class FolderBlocks:
    def __init__(self, state: FolderState) -> None:
        self.state = state
        self.scratch = state.root / STATE_FOLDER / "tmp"

    def serve_block(self, path: str, number: int, digest: str) -> bytes | None:
        """The block with this hash: where the peer saw it, else anywhere in the folder (the
        file may have been renamed aside meanwhile); None when no file holds it any more."""
        data = self.read_block(path, number, digest)
        if data is None:
            data = self._local_block(self.state.held.get(digest), digest)
        return data

    def read_block(self, path: str, number: int, digest: str) -> bytes | None:
        entry = self.state.index.entries.get(path)
        if entry is None or entry.deleted or number >= len(entry.blocks):
            return None
        with contextlib.suppress(OSError), Path(self.state.root / path).open("rb") as handle:
            handle.seek(number * BLOCK_SIZE)
            data = handle.read(BLOCK_SIZE)
            if hashlib.sha256(data).hexdigest() == digest:
                return data
        return None

    async def assemble(self, theirs: FileEntry, fetch: FetchBlock) -> Path:
        """``theirs`` whole and fsynced in a scratch file; never left half-made."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        temporary = self.scratch / uuid.uuid4().hex
        try:
            with Path(temporary).open("wb") as handle:
                await self._write_blocks(handle, theirs, fetch)
        except BaseException:
            temporary.unlink(missing_ok=True)  # a half-made file is never left behind
            raise
        return temporary

    async def _write_blocks(self, handle: BinaryIO, theirs: FileEntry, fetch: FetchBlock) -> None:
        pending: list[bytes] = []
        for number, digest in enumerate(theirs.blocks):
            data = self._local_block(self.state.held.get(digest), digest)
            if data is None:
                data = await fetch(number, digest)
            if hashlib.sha256(data).hexdigest() != digest:
                raise IntegrityError(
                    f"A peer sent a block of {theirs.path!r} that does not match its hash."
                )
            pending.append(data)
            if len(pending) * BLOCK_SIZE >= WRITE_BYTES:
                await asyncio.to_thread(handle.writelines, pending)
                pending = []
        # Off the event loop, in one trip for a small file: an fsync takes milliseconds, and
        # the loop must keep acknowledging the data channel meanwhile or the sender stalls.
        await asyncio.to_thread(_write_and_sync, handle, pending)

    def forget_scratch(self) -> None:
        """Drop what a killed run left half-assembled (it is fetched again as needed)."""
        for leftover in self.scratch.glob("*") if self.scratch.is_dir() else []:
            leftover.unlink(missing_ok=True)

    def _local_block(self, where: tuple[str, int] | None, digest: str) -> bytes | None:
        return None if where is None else self.read_block(where[0], where[1], digest)


def _write_and_sync(handle: BinaryIO, blocks: list[bytes]) -> None:
    handle.writelines(blocks)
    handle.flush()
    os.fsync(handle.fileno())
