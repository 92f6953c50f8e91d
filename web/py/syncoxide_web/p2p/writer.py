"""The file writer worker (``/static/file-writer.js``), as the receivers' destinations use it.

The worker writes received files and hashes them (hash-wasm's SHA-256) off the page's thread:
OPFS files in place (p2p_opfs.py), files in a picked folder as committed segments
(p2p_destination.py). For the peer-to-peer receiver the payloads the session accepted go from
the data plane's inbox straight to the worker (``write_items``), a kept partial file is re-hashed
there, and ``digest`` asks for a finished file's SHA-256, so no payload byte enters Python.
"""

from __future__ import annotations

from typing import Any

from pyodide.ffi import JsException, to_js

from syncoxide.errors import ProviderError
from syncoxide_web.p2p.channel import DATA_PLANE, _js_object
from syncoxide_web.platform.scripts import load_static

WORKER_URL = "/static/file-writer.js"
# write_items messages (each up to a receiver's batch, 4 MiB) the worker may still have to do:
# what a closing page loses, and memory on top of the credit window.
QUEUED_BATCHES = 2


class FileWriter:
    """The worker, through the data plane's WriterClient: operations run in the order posted;
    ``post`` does not wait, ``request`` waits for its answer, ``settled`` bounds the queue. A
    failed operation fails every later wait, as a ProviderError."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    async def start(cls) -> FileWriter:
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
        f"A received file could not be written: {reason}.",
        hint="Free some space (or choose another folder) and open the link again; "
        "what was already written is kept.",
    )


class HashedInWorker:
    """What a destination whose worker writes and hashes the payloads offers the receiver:
    ``hashes`` once the worker has its SHA-256 script; then, for a transfer whose progress is
    hashed outside Python, ``ensure_open`` / ``write_items`` / ``digest``."""

    writer: FileWriter | None
    hashes: bool

    async def ensure_open(self, index: int) -> None:
        """The file is open in the worker (created empty if new) before writes are posted."""
        raise NotImplementedError

    async def write_items(self, items: Any, start: int, end: int) -> None:
        """Hand the accepted DATA payloads among ``items[start:end]`` to the worker."""
        assert self.writer is not None
        self.writer.post_writes(items, start, end)
        await self.writer.settled(QUEUED_BATCHES)  # a failed write raises here

    async def digest(self, index: int) -> bytes:
        """The SHA-256 of the file's bytes, from the worker, after every write posted before."""
        assert self.writer is not None
        await self.ensure_open(index)  # an empty file was never written to
        answer = await self.writer.request("digest", index)
        return bytes.fromhex(str(answer.digest))
