"""Where a browser receiver writes when the folder is in this browser's private storage (OPFS).

A page can only write through FileSystemWritableFileStream (p2p_destination.py): each write goes
to the browser process and into a swap file, copied into place on close, so resumable files have
to be kept as committed segments and joined at the end. Inside OPFS a dedicated worker
(``/static/file-writer.js``) can do better: it writes each file in place, at its offset, through a
synchronous access handle. Each file is received as one hidden file
(``.name.<transfer>.syncoxide-partial``) whose bytes stay on disk if the page closes mid-way;
the next page re-reads it once to rebuild the running SHA-256 and resumes from its end. When the
file is verified the hidden file is renamed (moved) to its final name: no copy.

Writes are posted to the worker (p2p_writer.py) with their buffers transferred, not copied, and
not waited for one by one (up to QUEUED_WRITES of them), so Python goes on reading the channel
meanwhile. For the peer-to-peer receiver the worker also hashes (``hashes``), so no payload byte
enters Python; the server-copy fetch (p2p_server_copy.py) writes Python bytes through ``write``
and hashes them itself.
"""

from __future__ import annotations

import contextlib
from typing import Any

import js
from pyodide.ffi import JsException

from syncoxide.errors import ConfigError, ProviderError
from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide_web.p2p.channel import _js_object
from syncoxide_web.p2p.destination import (
    QUEUED_WRITES,
    BatchingDestination,
    DirectoryDestination,
    absorb_file,
)
from syncoxide_web.p2p.writer import FileWriter, HashedInWorker
from syncoxide_web.platform.scripts import script_url

PROBE = ".syncoxide-probe"


async def open_destination(folder: Any, tag: str) -> DirectoryDestination | OpfsDestination:
    """Where the worker can write ``folder``: in OPFS, in place (checked once with a probe file
    opened for in-place writes); elsewhere (a picked folder), through writable streams (a probe
    file written). Without a worker, the page's own writable streams. The worker hashes too once
    its SHA-256 script loads."""
    with contextlib.suppress(JsException, AttributeError, ProviderError):
        writer = await FileWriter.start()
        try:
            destination = await _worker_destination(folder, tag, writer)
            with contextlib.suppress(ConfigError):  # a page without the script hashes in Python
                await writer.request("hasher", -1, url=script_url("hash-wasm-sha256"))
                destination.hashes = True
        except BaseException:  # a worker that failed once answers nothing more: let it go
            writer.terminate()
            raise
        return destination
    return DirectoryDestination(folder, tag)


async def _worker_destination(
    folder: Any, tag: str, writer: FileWriter
) -> DirectoryDestination | OpfsDestination:
    if await _writes_in_place(folder, writer):
        return OpfsDestination(folder, tag, writer)
    await writer.request("probe", -1, folder=folder)  # through writable streams, then
    return DirectoryDestination(folder, tag, writer)


async def _writes_in_place(folder: Any, writer: FileWriter) -> bool:
    """Whether ``folder`` is in OPFS and the worker can open a probe file there for in-place
    writes (a synchronous access handle)."""
    root = await js.navigator.storage.getDirectory()
    if await root.resolve(folder) is None:
        return False
    try:
        probe = await folder.getFileHandle(PROBE, _js_object(create=True))
        await writer.request("open", -1, handle=probe)
        await writer.request("close", -1)
        await folder.removeEntry(PROBE)
    except (JsException, ProviderError):
        return False
    return True


class OpfsDestination(BatchingDestination, HashedInWorker):
    def __init__(self, root: Any, tag: str, writer: FileWriter) -> None:
        super().__init__(root, tag)
        self.writer: FileWriter = writer
        self._open: set[int] = set()  # files the worker holds open
        self._finished: dict[int, bytes] = {}  # already under their final name: their SHA-256
        self.hashes = False  # the worker can hash (its SHA-256 script loaded)
        self._hashing = False  # this transfer's files are hashed by the worker

    async def _partial(self, index: int, create: bool) -> tuple[Any, str, Any]:
        """(folder, final name, handle of the hidden file or None if there is none)."""
        *parents, name = self.manifest.files[index].path.split("/")
        folder = await self._folder(parents)
        hidden = f".{name}.{self.tag}.syncoxide-partial"
        try:
            return folder, name, await folder.getFileHandle(hidden, _js_object(create=create))
        except JsException:
            return folder, name, None

    async def prepare(self, manifest: Manifest, progress: ReceiverProgress) -> None:
        self._hashing = progress.hashed_outside
        await super().prepare(manifest, progress)

    async def _absorb_kept(self, index: int, progress: ReceiverProgress) -> None:
        """Re-read the partial file an earlier page left (in the worker when it hashes)."""
        folder, name, handle = await self._partial(index, create=False)
        if handle is None:
            if self._hashing:
                await self._adopt_finished(index, folder, name, progress)
            return
        if not self._hashing:
            await absorb_file(progress, index, await handle.getFile())
            return
        self._open.add(index)
        answer = await self.writer.request("open", index, handle=handle, hash=True)
        progress.absorbed_outside(index, int(answer.size))

    async def _adopt_finished(
        self, index: int, folder: Any, name: str, progress: ReceiverProgress
    ) -> None:
        """A file under its final name with the manifest's size and SHA-256 (verified before
        this page was reloaded) counts as received: hashed once in the worker, not sent again.
        One with other content is left alone, and replaced when the new one is verified."""
        entry = self.manifest.files[index]
        try:
            handle = await folder.getFileHandle(name)
        except JsException:
            return
        if entry.size == 0 or int((await handle.getFile()).size) != entry.size:
            return
        answer = await self.writer.request("open", index, handle=handle, hash=True)
        digest = bytes.fromhex(str((await self.writer.request("digest", index)).digest))
        await self.writer.request("close", index)
        if int(answer.size) == entry.size and digest == entry.sha256:
            self._finished[index] = digest
            progress.absorbed_outside(index, entry.size)

    async def ensure_open(self, index: int) -> None:
        if index not in self._open:
            _, _, handle = await self._partial(index, create=True)
            self._open.add(index)
            self.writer.post("open", index, handle=handle, hash=self._hashing)

    async def digest(self, index: int) -> bytes:
        if index in self._finished:
            return self._finished[index]
        return await super().digest(index)

    async def _flush(self, index: int) -> None:
        batch = self._pending.pop(index, None)
        if batch is None:
            return
        await self.ensure_open(index)
        array = batch.to_js()
        self.writer.post("write", index, at=batch.offset, data=array.buffer)
        await self.writer.settled(QUEUED_WRITES)  # a failed write raises here

    async def _close_file(self, index: int) -> None:
        await self._flush(index)
        if index in self._open:
            self._open.discard(index)
            self.writer.post("close", index)
        await self.writer.settled(0)

    async def finish(self, index: int) -> None:
        """Verified: the hidden file takes the final name (an empty file never had one)."""
        if index in self._finished:  # it already has its name
            return
        await self._close_file(index)
        folder, name, handle = await self._partial(index, create=False)
        if handle is None:
            empty = await folder.getFileHandle(name, _js_object(create=True))
            await (await empty.createWritable()).close()
            return
        await handle.move(folder, name)

    async def discard(self, index: int) -> None:
        """Drop what was written of one file, so it can be received again from byte 0."""
        self._pending.pop(index, None)
        await self._close_file(index)
        folder, _, handle = await self._partial(index, create=False)
        if handle is not None:
            await folder.removeEntry(handle.name)

    async def close(self) -> None:
        """Everything written stays (a later page resumes from it); the worker is stopped."""
        try:
            for index in sorted(set(self._pending) | self._open):
                await self._close_file(index)
        finally:
            self.writer.terminate()
