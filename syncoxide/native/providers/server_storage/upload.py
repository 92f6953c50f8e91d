"""Large writes to a syncoxide server's storage: a tus upload of deferred length.

The source's size is known only when it ends, so the upload is created with
``Upload-Defer-Length: 1`` and its length is given with the last PATCH. Every PATCH carries
the SHA-1 of its bytes (``Upload-Checksum``), so a cut request commits nothing and the upload
stays at a part boundary. The last part is held back until the source has ended and its
digest was checked by the caller, who then names the upload with a commit.

With a ledger (``upload_ledger``) an upload outlives the run: a later write of the same path,
from a source with the same mtime and cut into the same part size, asks the server how many
bytes it holds (HEAD) and sends only the rest; the bytes it skips are still read and hashed, so
the final commit's SHA-1 covers the whole source and the server refuses it if the held bytes
were not what the source holds now. Any other upload left in the ledger is cancelled.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from contextlib import suppress

import httpx2

from syncoxide.errors import IntegrityError
from syncoxide.native.providers.digests import StreamDigests
from syncoxide.native.providers.server_storage.errors import checked, translated
from syncoxide.native.providers.upload_ledger import OpenUpload, UploadLedger

COLLECTION = "/api/v1/storage/uploads/"
_TUS = {"Tus-Resumable": "1.0.0"}


class TusUpload:
    """One write's upload; ``send`` then ``finish`` (or ``cancel``)."""

    def __init__(
        self, client: httpx2.AsyncClient, base: str, part_size: int, ledger: UploadLedger | None
    ) -> None:
        self._client = client
        self._base = base
        self._part_size = part_size
        self._ledger = ledger
        self._held = 0
        self._offset = 0
        self._tail = b""
        #: Bytes this run skipped because the server held them from an earlier run (for tests).
        self.resumed_bytes = 0

    async def send(
        self,
        target: str,
        resume_key: str,
        *,
        mtime_ns: int,
        head: bytes,
        rest: AsyncIterator[bytes],
        digests: StreamDigests,
    ) -> str:
        """Sends all but the last part of ``head`` + ``rest``; returns the upload's URL path."""
        url = await self._open(target, resume_key, mtime_ns)
        buffer = bytearray(head)
        try:
            await self._send_full_parts(url, buffer)
            async for block in rest:
                await digests.update(block)
                buffer += block
                await self._send_full_parts(url, buffer)
        except BaseException as error:
            if isinstance(error, IntegrityError) or not resume_key or self._ledger is None:
                await self.cancel(url, resume_key)
            raise  # else the upload stays open for the next run to resume
        self._tail = bytes(buffer)
        return url

    async def _send_full_parts(self, url: str, buffer: bytearray) -> None:
        # ">" not ">=": the last part always stays behind, so it can carry Upload-Length.
        while len(buffer) > self._part_size:
            with memoryview(buffer) as view:  # one copy, not two (slice, then bytes)
                part = bytes(view[: self._part_size])
            del buffer[: self._part_size]
            await self._patch(url, part)

    async def finish(self, url: str, size: int) -> None:
        """Send the held-back last part with the upload's length: the upload is complete."""
        await self._patch(url, self._tail, size)

    async def _patch(self, url: str, part: bytes, length: int | None = None) -> None:
        start = self._offset
        self._offset += len(part)
        if self._offset <= self._held and length is None:
            self.resumed_bytes += len(part)
            return  # the server holds these bytes from an earlier run
        skip = max(self._held - start, 0)
        data = part[skip:]
        self.resumed_bytes += skip
        headers = {
            **_TUS,
            "Upload-Offset": str(start + skip),
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode(),  # noqa: S324
        }
        if length is not None:
            headers["Upload-Length"] = str(length)
        with translated(url, self._base):
            reply = await self._client.patch(url, content=data, headers=headers)
        checked(reply, "upload", url)

    async def _open(self, target: str, key: str, mtime_ns: int) -> str:
        found = self._ledger.find(key) if self._ledger is not None and key else None
        if found is not None:
            if (found.mtime_ns, found.part_size) == (mtime_ns, self._part_size):
                held = await self._held_bytes(found.upload_id)
                if held is not None:
                    self._held = held
                    return found.upload_id
            await self.cancel(found.upload_id, key)
        metadata = "path " + base64.b64encode(target.encode()).decode()
        headers = {**_TUS, "Upload-Defer-Length": "1", "Upload-Metadata": metadata}
        with translated(target, self._base):
            reply = await self._client.post(COLLECTION, headers=headers)
        checked(reply, "start an upload of", target)
        url = reply.headers["location"]
        if self._ledger is not None and key:
            self._ledger.remember(key, OpenUpload(url, mtime_ns, self._part_size))
        return url

    async def _held_bytes(self, url: str) -> int | None:
        """How many bytes an open upload holds; None if it is gone, expired or was finished."""
        with translated(url, self._base):
            reply = await self._client.head(url, headers=_TUS)
        offset = reply.headers.get("upload-offset", "")
        if reply.status_code != 200 or "upload-defer-length" not in reply.headers:
            return None
        return int(offset) if offset.isdigit() else None

    async def cancel(self, url: str, key: str) -> None:
        # A cancel that fails leaves bytes the server drops when the upload expires.
        with suppress(Exception):
            await self._client.delete(url, headers=_TUS)
        self.forget(key)

    def forget(self, key: str) -> None:
        if self._ledger is not None and key:
            self._ledger.forget(key)
