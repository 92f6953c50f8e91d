"""Where a browser receiver writes when the folder is in this browser's private storage (OPFS).

A page can only write through FileSystemWritableFileStream (p2p_destination.py): each write goes
to the browser process and into a swap file, copied into place on close, so resumable files have
to be kept as committed segments and joined at the end. Inside OPFS a dedicated worker
(``/static/opfs-writer.js``) can do better: it writes each file in place, at its offset, through a
synchronous access handle. Each file is received as one hidden file
(``.name.<transfer>.syncoxide-partial``) whose bytes stay on disk if the page closes mid-way;
the next page re-reads it once to rebuild the running SHA-256 and resumes from its end. When the
file is verified the hidden file is renamed (moved) to its final name: no copy.

Writes are posted to the worker with their buffers transferred, not copied, and not waited for
one by one (up to QUEUED_WRITES of them), so Python goes on reading the channel meanwhile.

For the peer-to-peer receiver the worker also hashes (``hashes``; hash-wasm's SHA-256): the
payloads the session accepted go from the data plane's inbox straight to the worker
(``write_items``), a kept partial file is re-hashed there on open, and ``digest`` asks for a
finished file's SHA-256, so no payload byte enters Python. The server-copy fetch
(p2p_server_copy.py) writes Python bytes through ``write`` and hashes them itself.
"""

from __future__ import annotations

import contextlib
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, to_js  # type: ignore[import-not-found]

from syncoxide.errors import ConfigError, ProviderError
from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide_web.p2p_channel import DATA_PLANE
from syncoxide_web.p2p_destination import (
    QUEUED_WRITES,
    BatchingDestination,
    DirectoryDestination,
    _js_object,
    absorb_file,
)
from syncoxide_web.scripts import load_static, script_url

WORKER_URL = "/static/opfs-writer.js"
PROBE = ".syncoxide-probe"
# write_items messages (each up to a receiver's batch, 4 MiB) the worker may still have to do:
# what a closing page loses, and memory on top of the credit window.
QUEUED_BATCHES = 2


class OpfsWriter:
    """The worker, through the data plane's WriterClient: operations run in the order posted;
    ``post`` does not wait, ``request`` waits for its answer, ``settled`` bounds the queue. A
    failed operation fails every later wait, as a ProviderError."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    async def start(cls) -> OpfsWriter:
        plane = await load_static("syncoxideP2P", DATA_PLANE)
        return cls(plane.WriterClient.new(WORKER_URL))

    def post(self, op: str, file_id: int, **fields: Any) -> None:
        self.client.post(*_message(op, file_id, fields))

    async def request(self, op: str, file_id: int, **fields: Any) -> Any:
        """Post one operation and return the worker's answer (a JS object)."""
        return await _written(self.client.request(*_message(op, file_id, fields)))

    def post_writes(self, items: Any, start: int, end: int) -> None:
        """Post the DATA payloads of ``items[start:end]`` (inbox items) as one operation."""
        self.client.postWrites(items, start, end)

    async def settled(self, most: int) -> None:
        """Wait until at most ``most`` operations are unanswered."""
        if self.client.pending > most or self.client.error:  # an earlier failure raises here
            await _written(self.client.settled(most))

    def terminate(self) -> None:
        self.client.terminate()


def _message(op: str, file_id: int, fields: dict[str, Any]) -> tuple[Any, Any]:
    data = fields.get("data")
    return _js_object(op=op, id=file_id, **fields), to_js([data] if data is not None else [])


async def _written(promise: Any) -> Any:
    try:
        return await promise
    except JsException as error:
        raise _write_error(str(getattr(error, "message", "") or error)) from None


def _write_error(reason: str) -> ProviderError:
    return ProviderError(
        f"A received file could not be written to this browser's storage: {reason}.",
        hint="Free some space (or choose a folder) and open the link again; "
        "what was already written is kept.",
    )


async def open_destination(folder: Any, tag: str) -> DirectoryDestination | OpfsDestination:
    """The OPFS writer when ``folder`` is in OPFS and this browser lets a worker write there
    (checked once with a probe file), else the page's own writable streams."""
    with contextlib.suppress(JsException, AttributeError, ProviderError):
        root = await js.navigator.storage.getDirectory()
        if await root.resolve(folder) is not None:
            writer = await OpfsWriter.start()
            try:
                probe = await folder.getFileHandle(PROBE, _js_object(create=True))
                await writer.request("open", -1, handle=probe)
                await writer.request("close", -1)
                await folder.removeEntry(PROBE)
            except BaseException:
                writer.terminate()
                raise
            destination = OpfsDestination(folder, tag, writer)
            with contextlib.suppress(ConfigError):  # a page without the script hashes in Python
                await writer.request("hasher", -1, url=script_url("hash-wasm-sha256"))
                destination.hashes = True
            return destination
    return DirectoryDestination(folder, tag)


class OpfsDestination(BatchingDestination):
    def __init__(self, root: Any, tag: str, writer: OpfsWriter) -> None:
        super().__init__(root, tag)
        self.writer = writer
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
        """The file is open in the worker (created empty if new) before writes are posted."""
        if index not in self._open:
            _, _, handle = await self._partial(index, create=True)
            self._open.add(index)
            self.writer.post("open", index, handle=handle, hash=self._hashing)

    async def write_items(self, items: Any, start: int, end: int) -> None:
        """Hand the accepted DATA payloads among ``items[start:end]`` to the worker."""
        self.writer.post_writes(items, start, end)
        await self.writer.settled(QUEUED_BATCHES)  # a failed write raises here

    async def digest(self, index: int) -> bytes:
        """The SHA-256 of the file's bytes, from the worker, after every write posted before."""
        if index in self._finished:
            return self._finished[index]
        await self.ensure_open(index)  # an empty file was never written to
        answer = await self.writer.request("digest", index)
        return bytes.fromhex(str(answer.digest))

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
