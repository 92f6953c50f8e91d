"""Where a browser receiver writes: a directory handle (OPFS, or a folder the user picked).

A ``FileSystemWritableFileStream`` only commits on ``close()``; a page closed mid-file would
lose everything since it was opened. So each file is received as committed segments of at most
SEGMENT bytes in a hidden folder (``.name.<transfer>.syncoxide-part/<offset>``). After a reload
the committed segments are re-read once to rebuild the running SHA-256 and the transfer resumes
from their end. When the file is verified, the segments are written into the final file as one
Blob made of them (the browser copies disk to disk, never whole in memory) and the hidden folder
is removed. Paths come from a manifest that already refused ``..``, absolute paths and the like.

Who writes the segments: for the peer-to-peer receiver, the file writer worker
(p2p_writer.py, ``/static/file-writer.js``) when it could write a probe file into the folder:
it takes the payloads straight from the data plane and hashes them (hash-wasm), so no payload
byte enters Python, and re-hashes kept segments after a reload. Otherwise (no worker, or bytes
that are in Python anyway, as the server-copy fetch's) the page writes them itself: writes and
segment commits are handed to the browser without waiting for each one (up to QUEUED_WRITES of
them), so Python goes on reading the channel while the disk works.
"""

from __future__ import annotations

import contextlib
from collections import deque
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide_web.p2p.channel import _js_object
from syncoxide_web.p2p.writer import FileWriter, HashedInWorker

SEGMENT = 16 * 1024 * 1024
WRITE_BATCH = 1024 * 1024  # each stream.write call costs about a millisecond: batch them
READ_SIZE = 4 * 1024 * 1024
QUEUED_WRITES = 8  # writes of WRITE_BATCH bytes not yet finished by the browser: bounds memory


class WriteBatch:
    """Chunks of one file waiting to be written together, from ``offset`` on."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.parts: list[bytes] = []
        self.size = 0

    def to_js(self) -> Any:
        """One JS array holding every part: each byte is copied once, straight into it."""
        array, at = js.Uint8Array.new(self.size), 0
        for part in self.parts:
            array.subarray(at, at + len(part)).assign(part)
            at += len(part)
        return array


class BatchingDestination:
    """What both writers share: folders under the root, and chunks gathered per file into
    WRITE_BATCH writes (each write crosses into the browser or a worker: batch them)."""

    def __init__(self, root: Any, tag: str) -> None:
        self.root = root
        self.tag = tag
        self.manifest = Manifest(())
        self._pending: dict[int, WriteBatch] = {}  # index -> bytes not yet handed on

    async def _folder(self, parts: list[str]) -> Any:
        folder = self.root
        for part in parts:
            folder = await folder.getDirectoryHandle(part, _js_object(create=True))
        return folder

    async def prepare(self, manifest: Manifest, progress: ReceiverProgress) -> None:
        """Create the folders; re-read what an earlier page kept of files not yet started."""
        self.manifest = manifest
        for folder in manifest.folders:
            await self._folder(folder.split("/"))
        for index in range(len(manifest.files)):
            if progress.offset(index) == 0 and not progress.is_verified(index):
                await self._absorb_kept(index, progress)

    async def _absorb_kept(self, index: int, progress: ReceiverProgress) -> None:
        raise NotImplementedError

    async def write(self, index: int, offset: int, payload: bytes) -> None:
        batch = self._pending.setdefault(index, WriteBatch(offset))
        batch.parts.append(payload)
        batch.size += len(payload)
        if batch.size >= WRITE_BATCH:
            await self._flush(index)

    async def _flush(self, index: int) -> None:
        raise NotImplementedError


async def absorb_file(progress: ReceiverProgress, index: int, file: Any) -> None:
    """Feed a kept file (or segment) to the running hash, READ_SIZE at a time."""
    for start in range(0, int(file.size), READ_SIZE):
        blob = file.slice(start, start + READ_SIZE)
        progress.absorb(index, js.Uint8Array.new(await blob.arrayBuffer()).to_bytes())


class DirectoryDestination(BatchingDestination, HashedInWorker):
    def __init__(self, root: Any, tag: str, writer: FileWriter | None = None) -> None:
        super().__init__(root, tag)
        self.writer = writer
        self.hashes = False  # the worker can hash (its SHA-256 script loaded)
        self._hashing = False  # this transfer's files are written and hashed by the worker
        self._in_worker: set[int] = set()  # files the worker holds open
        self._open: dict[int, list[Any]] = {}  # index -> [stream, bytes in this segment]
        self._writes: deque[Any] = deque()  # promises of queued writes, oldest first

    async def _segments_folder(self, index: int) -> tuple[Any, str, str]:
        *parents, name = self.manifest.files[index].path.split("/")
        folder = await self._folder(parents)
        return folder, name, f".{name}.{self.tag}.syncoxide-part"

    async def prepare(self, manifest: Manifest, progress: ReceiverProgress) -> None:
        self._hashing = self.hashes and progress.hashed_outside
        await super().prepare(manifest, progress)

    async def _absorb_kept(self, index: int, progress: ReceiverProgress) -> None:
        """Re-read the committed segments an earlier page left, up to the first gap."""
        folder, _, hidden = await self._segments_folder(index)
        try:
            segments = await folder.getDirectoryHandle(hidden)
        except JsException:
            return
        kept, end = [], 0
        for name, handle in sorted(await _entries(segments)):
            file = await handle.getFile()
            if int(name) != end:
                await segments.removeEntry(name)  # after a gap nothing counts
                continue
            kept.append(file)
            end += int(file.size)
        if self._hashing:
            assert self.writer is not None
            self._in_worker.add(index)
            answer = await self.writer.request("open", index, folder=segments, kept=to_js(kept))
            progress.absorbed_outside(index, int(answer.size))
            return
        for file in kept:
            await absorb_file(progress, index, file)

    async def ensure_open(self, index: int) -> None:
        if index not in self._in_worker:
            assert self.writer is not None
            folder, _, hidden = await self._segments_folder(index)
            segments = await folder.getDirectoryHandle(hidden, _js_object(create=True))
            self._in_worker.add(index)
            self.writer.post("open", index, folder=segments, kept=to_js([]))

    async def _close_in_worker(self, index: int) -> None:
        """The worker commits the file's last segment and lets it go."""
        if index in self._in_worker and self.writer is not None:
            self._in_worker.discard(index)
            self.writer.post("close", index)
            await self.writer.settled(0)  # a failed write or commit raises here

    async def _flush(self, index: int) -> None:
        batch = self._pending.pop(index, None)
        if batch is None:
            return
        array, offset, done = batch.to_js(), batch.offset, 0
        while done < batch.size:
            current = self._open.get(index)
            if current is None or current[1] >= SEGMENT:
                current = await self._next_segment(index, offset + done)
            take = min(batch.size - done, SEGMENT - current[1])
            await self._queue_write(current[0].write(array.subarray(done, done + take)))
            current[1] += take
            done += take

    async def _queue_write(self, promise: Any) -> None:
        self._writes.append(promise)
        while len(self._writes) > QUEUED_WRITES:
            await self._writes.popleft()

    async def _writes_done(self) -> None:
        while self._writes:
            await self._writes.popleft()  # a failed write raises here, before any commit

    async def _next_segment(self, index: int, offset: int) -> list[Any]:
        await self._commit_segment(index)
        folder, _, hidden = await self._segments_folder(index)
        segments = await folder.getDirectoryHandle(hidden, _js_object(create=True))
        handle = await segments.getFileHandle(f"{offset:016d}", _js_object(create=True))
        self._open[index] = [await handle.createWritable(), 0]
        return self._open[index]

    async def _commit_segment(self, index: int) -> None:
        """Close the open segment: committed once its queued writes are done. Not waited for
        here, so the channel keeps being read; a failed write or commit raises from
        _queue_write."""
        current = self._open.pop(index, None)
        if current is not None:
            await self._queue_write(current[0].close())

    async def finish(self, index: int) -> None:
        """Verified: stream the segments into the final file, then drop them."""
        await self._close_in_worker(index)
        await self._flush(index)
        await self._commit_segment(index)
        await self._writes_done()
        folder, name, hidden = await self._segments_folder(index)
        target = await (await folder.getFileHandle(name, _js_object(create=True))).createWritable()
        try:
            segments = await folder.getDirectoryHandle(hidden)
        except JsException:
            segments = None  # an empty file has no segments
        if segments is not None:
            parts = [await handle.getFile() for _, handle in sorted(await _entries(segments))]
            await target.write(js.Blob.new(to_js(parts)))  # twice as fast as piping them
        await target.close()
        if segments is not None:
            await folder.removeEntry(hidden, _js_object(recursive=True))

    async def discard(self, index: int) -> None:
        """Drop what was written of one file, so it can be received again from byte 0."""
        self._pending.pop(index, None)
        await self._close_in_worker(index)
        await self._commit_segment(index)
        await self._writes_done()
        folder, _, hidden = await self._segments_folder(index)
        with contextlib.suppress(JsException):  # no segments: nothing to drop
            await folder.removeEntry(hidden, _js_object(recursive=True))

    async def close(self) -> None:
        """Everything committed stays (a later page resumes from it); the worker is stopped."""
        try:
            for index in sorted(self._in_worker):
                await self._close_in_worker(index)
            for index in list(self._pending):
                await self._flush(index)
            await self._writes_done()
            for stream, _ in self._open.values():
                await stream.close()
            self._open = {}
        finally:
            if self.writer is not None:
                self.writer.terminate()


async def _entries(folder: Any) -> list[tuple[str, Any]]:
    found = []
    iterator = folder.entries()
    while not (step := await iterator.next()).done:
        name, handle = step.value
        found.append((str(name), handle))
    return found
