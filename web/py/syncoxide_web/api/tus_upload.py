"""Uploads from the app to the owner's tus endpoints (``/api/v1/uploads/`` for links,
``/api/v1/storage/uploads/`` for your own files), with retries.

Two ways to feed an upload: ``send_blob`` hands slices of a ``File`` straight to ``fetch`` (the
bytes never pass through Python), and ``write``/``finish`` take bytes produced in Python (the
ciphertext of an end-to-end encrypted share) and send them in 8 MiB PATCHes. A PATCH that
fails on the network is retried from the offset the server reports (``HEAD``), so a cut
connection costs at most the part of one chunk the server did not keep.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable
from typing import Any

from pyodide.ffi import to_js

from syncoxide.errors import RemoteProtocolError, SyncoxideError, TransportError
from syncoxide.units import counted
from syncoxide_web.api.server_api import fetch, refusal

UPLOADS = "/api/v1/uploads/"
CHUNK = 8 << 20
ATTEMPTS = 5
TUS = {"Tus-Resumable": "1.0.0"}

Progress = Callable[[int], None]
BodyOf = Callable[[int, int], Any]  # (start, end) -> a fetch body holding those bytes


def tus_metadata(values: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


class TusUpload:
    def __init__(self, location: str, length: int, progress: Progress | None = None) -> None:
        self.location = location
        self.length = length
        self.offset = 0
        self._progress = progress or (lambda _sent: None)
        self._pending: list[bytes] = []
        self._pending_size = 0

    @classmethod
    async def create(
        cls,
        length: int,
        metadata: dict[str, str],
        progress: Progress | None = None,
        collection: str = UPLOADS,
    ) -> TusUpload:
        """A new upload at ``collection`` (the links' endpoint, or your files' own)."""
        headers = {**TUS, "Upload-Length": str(length), "Upload-Metadata": tus_metadata(metadata)}
        response = await fetch("POST", collection, headers)
        if response.status != 201:
            raise await refusal(response)
        return cls(str(response.headers.get("Location")), length, progress)

    async def send_blob(self, blob: Any) -> None:
        while self.offset < self.length:
            end = min(self.offset + CHUNK, self.length)
            await self._send_until(end, lambda start, stop: blob.slice(start, stop))

    async def write(self, data: bytes) -> None:
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= CHUNK:
            await self._flush()

    async def finish(self) -> None:
        await self._flush()
        if self.offset != self.length:
            raise RemoteProtocolError(
                f"The upload stopped at {self.offset} of {counted(self.length, 'byte')}.",
                hint="Nothing was shared from this file; try again.",
            )

    async def _flush(self) -> None:
        data = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        base = self.offset
        await self._send_until(base + len(data), lambda s, e: to_js(data[s - base : e - base]))

    async def _send_until(self, end: int, body_of: BodyOf) -> None:
        failures = 0
        while self.offset < end:
            headers = {
                **TUS,
                "Upload-Offset": str(self.offset),
                "Content-Type": "application/offset+octet-stream",
            }
            try:
                response = await fetch("PATCH", self.location, headers, body_of(self.offset, end))
            except TransportError:
                failures += 1
                if failures >= ATTEMPTS:
                    raise
                self.offset = await self._server_offset()
                continue
            if response.status != 204:
                raise await refusal(response)
            self.offset = int(response.headers.get("Upload-Offset"))
            failures = 0
            self._progress(self.offset)

    async def cancel(self) -> None:
        """Drop the upload on the server now rather than when it expires (best effort)."""
        with contextlib.suppress(SyncoxideError):
            await fetch("DELETE", self.location, dict(TUS))

    async def _server_offset(self) -> int:
        response = await fetch("HEAD", self.location, dict(TUS))
        if response.status != 200:
            raise await refusal(response)
        return int(response.headers.get("Upload-Offset"))
