"""Multipart upload with parts in flight in parallel, for files past the part size.

Parts are cut to exactly ``part_size`` (some S3-compatible stores demand equal parts) and
uploaded while the next ones are read and hashed. The shared ``slots`` semaphore (one per
provider) bounds the parts held in memory, being filled or in flight, so eight files in
flight do not hold eight times as much. The upload is completed only after the whole
stream's digest matched the source: S3 makes the object visible atomically at
CompleteMultipartUpload, so a mismatch or any failure aborts the upload and nothing appears
under the final name.

With a ledger (``s3_resume``) any other failure, a killed process included, leaves the upload
open for the next run, which sends only the parts the server does not already hold.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable

from syncoxide.errors import IntegrityError
from syncoxide.native.providers.digests import StreamDigests
from syncoxide.native.providers.s3.calls import S3Calls
from syncoxide.native.providers.s3.lean_uploads import HeldPart
from syncoxide.native.providers.s3.resume import open_upload
from syncoxide.native.providers.upload_ledger import UploadLedger

_Part = tuple[int, str]
"""A sent part: (number, ETag)."""


class MultipartUpload:
    def __init__(
        self,
        calls: S3Calls,
        key: str,
        part_size: int,
        slots: asyncio.Semaphore,
        *,
        ledger: UploadLedger | None = None,
    ) -> None:
        self._calls = calls
        self._key = key
        self._part_size = part_size
        self._slots = slots
        self._ledger = ledger
        self._tasks: list[asyncio.Task[_Part]] = []
        self._upload_id = ""
        self._held: dict[int, HeldPart] = {}
        #: Bytes of parts the server already held from an earlier, interrupted run.
        self.reused_bytes = 0

    async def run(
        self,
        head: bytearray,
        rest: AsyncIterator[bytes],
        digests: StreamDigests,
        metadata: dict[str, str],
        *,
        before_commit: Callable[[], None],
        mtime_ns: int,
    ) -> str:
        """Uploads ``head`` (already hashed; consumed) then ``rest``; ``before_commit`` may veto.

        Returns the new object's ETag ("" if the server sent none)."""
        self._upload_id, self._held = await open_upload(
            self._calls, self._ledger, self._key, (mtime_ns, self._part_size, metadata)
        )
        try:
            await self._send_all(head, rest, digests)
            parts = [await task for task in self._tasks]
            before_commit()
            etag = (await self._calls.complete(self._key, self._upload_id, parts)).etag
        except BaseException as error:
            resumable = self._ledger is not None and not isinstance(error, IntegrityError)
            await asyncio.shield(self._stop_parts() if resumable else self._abort())
            raise
        if self._ledger is not None:
            self._ledger.forget(self._key)
        return etag

    async def _send_all(
        self, head: bytearray, rest: AsyncIterator[bytes], digests: StreamDigests
    ) -> None:
        # A part's slot is taken before its bytes are read, so the provider holds at most
        # ``slots`` parts (being filled or in flight), not that plus one waiting per file.
        # Blocks wait in a list and are joined once per part: one copy of each byte.
        await self._slots.acquire()
        holding = True
        try:
            pending: list[bytes] = [bytes(head)]
            waiting = len(head)
            del head[:]
            async for block in rest:
                await digests.update(block)
                pending.append(block)
                waiting += len(block)
                while waiting >= self._part_size:
                    part, pending, waiting = self._cut_part(pending)
                    holding = False
                    self._start_part(part)  # its slot goes back when it is sent
                    self._raise_failed_part()
                    await self._slots.acquire()
                    holding = True
            if waiting or not self._tasks:
                holding = False
                self._start_part(b"".join(pending))
        finally:
            if holding:
                self._slots.release()

    def _cut_part(self, pending: list[bytes]) -> tuple[bytes, list[bytes], int]:
        """The first part of ``pending``: (that part, what is left, its length)."""
        joined = b"".join(pending) if len(pending) != 1 else pending[0]
        part = joined if len(joined) == self._part_size else joined[: self._part_size]
        left = joined[self._part_size :]
        return part, ([left] if left else []), len(left)

    def _start_part(self, body: bytes) -> None:
        number = len(self._tasks) + 1
        held = self._held.get(number)
        if held is not None and held.holds(_md5_hex(body), len(body)):
            self.reused_bytes += len(body)
            task = asyncio.create_task(self._held_part(number, held))
        else:
            task = asyncio.create_task(self._send_part(number, body))
        # A done callback runs even for a task cancelled before it started: no slot leaks.
        task.add_done_callback(lambda _: self._slots.release())
        self._tasks.append(task)

    async def _send_part(self, number: int, body: bytes) -> _Part:
        sent = await self._calls.upload_part((self._key, self._upload_id), number, body)
        return number, sent.etag

    @staticmethod
    async def _held_part(number: int, held: HeldPart) -> _Part:
        return number, held.etag

    def _raise_failed_part(self) -> None:
        # A failed part stops the read early instead of streaming the rest of a big file.
        for task in self._tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                task.result()

    async def _stop_parts(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _abort(self) -> None:
        await self._stop_parts()
        await self._calls.abort_quietly(self._key, self._upload_id)
        if self._ledger is not None:
            self._ledger.forget(self._key)


async def read_head(
    chunks: AsyncIterator[bytes], digests: StreamDigests, limit: int
) -> tuple[bytearray, AsyncIterator[bytes] | None]:
    """Reads up to ``limit`` bytes: (those bytes, the rest of the stream or None if it ended)."""
    iterator = aiter(chunks)
    buffer = bytearray()
    async for block in iterator:
        await digests.update(block)
        buffer += block
        if len(buffer) >= limit:
            return buffer, iterator
    return buffer, None


def _md5_hex(body: bytes) -> str:
    # MD5 because S3 names a part by it (its ETag); it only decides which part to skip.
    return hashlib.md5(body, usedforsecurity=False).hexdigest()
