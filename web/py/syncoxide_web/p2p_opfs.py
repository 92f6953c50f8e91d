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
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, create_proxy, to_js  # type: ignore[import-not-found]

from syncoxide.errors import ProviderError
from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide_web.p2p_destination import (
    QUEUED_WRITES,
    BatchingDestination,
    DirectoryDestination,
    _js_object,
    absorb_file,
)

WORKER_URL = "/static/opfs-writer.js"
PROBE = ".syncoxide-probe"


class OpfsWriter:
    """The worker: each request is answered in order, through the Future it returns."""

    def __init__(self) -> None:
        self.worker = js.Worker.new(WORKER_URL)
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self._sequence = 0
        self._proxies = [create_proxy(self._on_message), create_proxy(self._on_error)]
        self.worker.onmessage, self.worker.onerror = self._proxies

    def _on_message(self, event: Any) -> None:
        future = self._waiting.pop(int(event.data.seq), None)
        if future is None or future.done():
            return
        if event.data.ok:
            future.set_result(None)
        else:
            future.set_exception(_write_error(str(event.data.error)))

    def _on_error(self, event: Any) -> None:
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(_write_error(str(getattr(event, "message", "") or event)))

    def request(self, op: str, file_id: int, **fields: Any) -> asyncio.Future[None]:
        self._sequence += 1
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[self._sequence] = future
        message = _js_object(seq=self._sequence, op=op, id=file_id, **fields)
        data = fields.get("data")
        self.worker.postMessage(message, to_js([data] if data is not None else []))
        return future

    def terminate(self) -> None:
        self.worker.terminate()
        for proxy in self._proxies:
            proxy.destroy()


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
            writer = OpfsWriter()
            try:
                probe = await folder.getFileHandle(PROBE, _js_object(create=True))
                await writer.request("open", -1, handle=probe)
                await writer.request("close", -1)
                await folder.removeEntry(PROBE)
            except BaseException:
                writer.terminate()
                raise
            return OpfsDestination(folder, tag, writer)
    return DirectoryDestination(folder, tag)


class OpfsDestination(BatchingDestination):
    def __init__(self, root: Any, tag: str, writer: OpfsWriter) -> None:
        super().__init__(root, tag)
        self.writer = writer
        self._open: set[int] = set()  # files the worker holds open
        self._writes: deque[asyncio.Future[None]] = deque()  # answers still to come, in order

    async def _partial(self, index: int, create: bool) -> tuple[Any, str, Any]:
        """(folder, final name, handle of the hidden file or None if there is none)."""
        *parents, name = self.manifest.files[index].path.split("/")
        folder = await self._folder(parents)
        hidden = f".{name}.{self.tag}.syncoxide-partial"
        try:
            return folder, name, await folder.getFileHandle(hidden, _js_object(create=create))
        except JsException:
            return folder, name, None

    async def _absorb_kept(self, index: int, progress: ReceiverProgress) -> None:
        """Re-read the partial file an earlier page left."""
        _, _, handle = await self._partial(index, create=False)
        if handle is not None:
            await absorb_file(progress, index, await handle.getFile())

    async def _flush(self, index: int) -> None:
        batch = self._pending.pop(index, None)
        if batch is None:
            return
        if index not in self._open:
            _, _, handle = await self._partial(index, create=True)
            self._writes.append(self.writer.request("open", index, handle=handle))
            self._open.add(index)
        array = batch.to_js()
        self._writes.append(self.writer.request("write", index, at=batch.offset, data=array.buffer))
        while len(self._writes) > QUEUED_WRITES:
            await self._writes.popleft()  # a failed write raises here

    async def _close_file(self, index: int) -> None:
        await self._flush(index)
        if index in self._open:
            self._open.discard(index)
            self._writes.append(self.writer.request("close", index))
        while self._writes:
            await self._writes.popleft()

    async def finish(self, index: int) -> None:
        """Verified: the hidden file takes the final name (an empty file never had one)."""
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
