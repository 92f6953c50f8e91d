"""Uploads assembled in the deployment's S3 bucket, as multipart uploads: any instance, on
any host, takes the next PATCH, and none holds a whole file (at most one part per request).

Objects under ``uploads/``, beside the blobs (same bucket, same prefix):

    uploads/u<id>.info         JSON: the ``Upload`` fields, the multipart upload's id, the
                               ETag and size of each part committed, and the tail's name;
                               the commit point of everything below
    uploads/u<id>.tail.<rand>  the committed bytes past the last whole part (shorter than a
                               part); a new tail gets a new name, so a request cut between
                               writing it and rewriting .info leaves the committed one intact
    uploads/u<id>              the finished object (CompleteMultipartUpload, or one PUT for
                               an upload smaller than a part)

A PATCH starts from the committed tail, sends each whole part of ``PART_BYTES`` as part
(committed parts + 1) and keeps the remainder as a new tail; only then is ``.info``
rewritten. Parts sent by a request that is then refused (a checksum mismatch) are not in
``.info``: the next request sends the same part numbers again, which replaces them. S3
requires every part but the last to be at least 5 MiB, which whole parts are; the tail
becomes the last part when the upload completes.

Two requests never write one upload at once: a job lease (``storage/leases.py``, shared by
every instance through the database) is held while a PATCH runs and renewed part by part.
Digests are kept in memory by the instance that saw every byte; otherwise they are computed
by reading the finished object once (``digests``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field, replace

from syncoxide.server.storage.leases import JobLeases
from syncoxide.server.storage.port import BlobStore
from syncoxide.server.storage.s3 import S3BlobStore
from syncoxide.server.tus.digest import ContentDigest, digest_of
from syncoxide.server.tus.headers import CHECKSUM_MISMATCH, TusRequestError
from syncoxide.server.tus.store import SWEEP_EVERY_SECONDS
from syncoxide.server.tus.upload import (
    ID_BYTES,
    Upload,
    is_upload_id,
    too_long,
    with_declared_length,
)

PART_BYTES = 8 * 1024 * 1024
#: How long a PATCH holds its upload without renewing it (at every part, and before it
#: commits). After an instance dies mid-PATCH, its client's next PATCH waits at most this.
WRITE_LEASE_SECONDS = 30
_PREFIX = "uploads/"


@dataclass(frozen=True)
class _State:
    """What ``.info`` holds: the upload, and where its committed bytes are."""

    upload: Upload
    parts_id: str = ""  # the multipart upload, started with the first whole part
    etags: list[str] = field(default_factory=list)
    tail: str = ""  # the tail object's key ("" when there is none)
    tail_size: int = 0

    def to_json(self) -> bytes:
        return json.dumps({**asdict(self), "upload": asdict(self.upload)}).encode()

    @staticmethod
    def from_json(raw: bytes) -> _State:
        fields = json.loads(raw)
        return _State(**{**fields, "upload": Upload(**fields["upload"])})


def _object_key(upload_id: str) -> str:
    # "u" first: an id may begin with "-", which a blob key's segment may not.
    return f"{_PREFIX}u{upload_id}"


def _info_key(upload_id: str) -> str:
    return f"{_object_key(upload_id)}.info"


class S3UploadStore:
    def __init__(
        self,
        blobs: S3BlobStore,
        clock: Callable[[], float],
        leases: JobLeases | None = None,
        part_bytes: int = PART_BYTES,
    ) -> None:
        self._blobs = blobs
        self.clock = clock
        self._leases = leases
        self._part_bytes = part_bytes
        self._writing: set[str] = set()
        self._digests: dict[str, ContentDigest] = {}
        self._swept_at = 0.0

    async def aclose(self) -> None:
        await self._blobs.aclose()

    async def create(
        self, length: int, metadata: dict[str, str], scope: str, lifetime: float
    ) -> Upload:
        now = self.clock()
        upload_id = secrets.token_urlsafe(ID_BYTES)
        upload = Upload(upload_id, length, 0, scope, now, now + lifetime, metadata)
        await self._save(_State(upload))
        if length == 0:
            await self._blobs.put_bytes(_object_key(upload_id), b"")
        return upload

    async def get(self, upload_id: str, scope: str) -> Upload:
        state = await self._state(upload_id, scope)
        return state.upload

    async def _state(self, upload_id: str, scope: str) -> _State:
        if not is_upload_id(upload_id):
            raise TusRequestError(404, "No such upload.")
        raw = await self._blobs.get_bytes(_info_key(upload_id))
        try:
            state = _State.from_json(raw) if raw is not None else None
        except (ValueError, TypeError, KeyError):
            state = None
        if state is None or state.upload.scope != scope:
            raise TusRequestError(404, "No such upload.")  # never confirm someone else's id
        upload = state.upload
        if upload.expires <= self.clock() and not upload.complete:
            await self._remove(state)
            raise TusRequestError(410, "This upload expired; start it again.")
        return state

    async def declare_length(self, upload: Upload, length: int) -> Upload:
        fixed = with_declared_length(upload, length)
        if fixed is upload:
            return upload
        state = await self._state(upload.id, upload.scope)
        updated = replace(state, upload=replace(state.upload, length=fixed.length))
        await self._save(updated)
        return updated.upload

    async def append(
        self,
        upload: Upload,
        offset: int,
        body: AsyncIterator[bytes],
        checksum: tuple[str, bytes] | None,
        *,
        max_room: int = 0,
    ) -> Upload:
        if offset != upload.offset:
            raise TusRequestError(
                409, f"Upload-Offset is {offset}, but the upload is at {upload.offset}."
            )
        job = f"tus:{upload.id}"
        if upload.id in self._writing or not await self._take(job):
            raise TusRequestError(
                409, "Another request is writing this upload; retry shortly.", retry_after=5
            )
        self._writing.add(upload.id)
        try:
            state = await self._state(upload.id, upload.scope)
            if state.upload.offset != offset:  # moved on through another instance meanwhile
                raise TusRequestError(
                    409, f"Upload-Offset is {offset}, but the upload is at {state.upload.offset}."
                )
            return await self._write(state, body, checksum, max_room=max_room, job=job)
        finally:
            self._writing.discard(upload.id)
            if self._leases is not None:
                await self._leases.release(job)

    async def _take(self, job: str) -> bool:
        return self._leases is None or await self._leases.take(job)

    async def _write(
        self,
        state: _State,
        body: AsyncIterator[bytes],
        checksum: tuple[str, bytes] | None,
        *,
        max_room: int,
        job: str,
    ) -> Upload:
        upload = state.upload
        room = upload.length - upload.offset if not upload.deferred else max_room
        verify = hashlib.new(checksum[0]) if checksum else None
        kept = self._digests.get(upload.id)
        content = kept.fork() if kept and kept.offset == upload.offset else None
        if content is None and upload.offset == 0:
            content = ContentDigest()
        tail = bytearray(await self._tail_bytes(state))
        pour = _Pour(self._blobs, self._leases, self._part_bytes, state, job, tail)
        try:
            async for chunk in body:
                if pour.received + len(chunk) > room:
                    raise too_long(upload)
                for hasher in (verify, content):
                    if hasher is not None:
                        hasher.update(chunk)
                await pour.take(chunk)
            if verify is not None and checksum is not None and verify.digest() != checksum[1]:
                raise TusRequestError(
                    CHECKSUM_MISMATCH, "The bytes do not match Upload-Checksum; resend them."
                )
            await pour.keep_lease()
        except Exception as error:
            # A cut connection keeps what arrived, unless it cannot be verified.
            if checksum is None and not isinstance(error, TusRequestError):
                await self._commit(pour, content)
            else:
                await self._drop_new_parts(pour)
            raise
        return await self._commit(pour, content)

    async def _drop_new_parts(self, pour: _Pour) -> None:
        """A refused request's parts are left for the next to replace, but a multipart upload
        it started itself would be nobody's: abort that one."""
        if pour.parts_id and not pour.state.parts_id:
            await self._blobs.abort_parts(_object_key(pour.state.upload.id), pour.parts_id)

    async def _commit(self, pour: _Pour, content: ContentDigest | None) -> Upload:
        """Write the new tail (or finish the object), then ``.info``: the commit point."""
        old = pour.state
        upload = replace(old.upload, offset=old.upload.offset + pour.received)
        state = replace(old, upload=upload, etags=pour.etags, parts_id=pour.parts_id)
        if upload.complete:
            await self._finish(state, bytes(pour.buffer))
            state = replace(state, tail="", tail_size=0)
        elif pour.received:
            tail = f"{_object_key(upload.id)}.tail.{secrets.token_hex(6)}"
            await self._blobs.put_bytes(tail, bytes(pour.buffer))
            state = replace(state, tail=tail, tail_size=len(pour.buffer))
        await self._save(state)
        if old.tail and old.tail != state.tail:
            await self._blobs.delete(old.tail)
        if content is None:
            self._digests.pop(upload.id, None)
        else:
            self._digests[upload.id] = content
        return upload

    async def _finish(self, state: _State, last: bytes) -> None:
        key = _object_key(state.upload.id)
        if not state.parts_id:  # smaller than one part: a single PUT
            await self._blobs.put_bytes(key, last)
            return
        etags = list(state.etags)
        if last:
            etags.append(await self._blobs.send_part(key, state.parts_id, len(etags) + 1, last))
        await self._blobs.finish_parts(key, state.parts_id, etags)

    async def _tail_bytes(self, state: _State) -> bytes:
        if not state.tail:
            return b""
        tail = await self._blobs.get_bytes(state.tail)
        if tail is None or len(tail) != state.tail_size:
            raise TusRequestError(
                500, "This upload's stored bytes are missing; start it again."
            )  # pragma: no cover - only if someone deletes objects under the server
        return tail

    async def delete(self, upload: Upload) -> None:
        raw = await self._blobs.get_bytes(_info_key(upload.id))
        state = _State.from_json(raw) if raw is not None else _State(upload)
        await self._remove(state)

    async def _remove(self, state: _State) -> None:
        upload_id = state.upload.id
        self._digests.pop(upload_id, None)
        if state.parts_id and not state.upload.complete:
            await self._blobs.abort_parts(_object_key(upload_id), state.parts_id)
        named = _object_key(upload_id)
        for key in await self._blobs.keys(named):
            if key == named or key.startswith(f"{named}."):
                await self._blobs.delete(key)

    async def sweep_abandoned(self) -> None:
        now = self.clock()
        if now - self._swept_at >= SWEEP_EVERY_SECONDS:
            self._swept_at = now
            await self.remove_expired()

    async def remove_expired(self) -> int:
        now, removed = self.clock(), 0
        for key in await self._blobs.keys(_PREFIX):
            if not key.endswith(".info"):
                continue
            raw = await self._blobs.get_bytes(key)
            try:
                state = _State.from_json(raw) if raw is not None else None
            except (ValueError, TypeError, KeyError):
                continue
            if state is not None and state.upload.expires <= now and not state.upload.complete:
                await self._remove(state)
                removed += 1
        return removed

    async def digests(self, upload: Upload) -> ContentDigest:
        kept = self._digests.get(upload.id)
        if kept is not None and kept.offset == upload.offset and upload.complete:
            return kept
        return await digest_of(self.read(upload))

    async def read(self, upload: Upload, length: int | None = None) -> AsyncIterator[bytes]:
        size = upload.offset if length is None else min(length, upload.offset)
        if size == 0:
            return
        async for chunk in self._blobs.read(_object_key(upload.id), 1 << 20, 0, size):
            yield chunk

    async def hand_over(self, upload: Upload, blobs: BlobStore, key: str) -> None:
        """A server-side copy into ``key`` (the blobs are in this same bucket), then the
        upload's objects go: no byte passes through this instance."""
        if blobs is not self._blobs:
            raise ValueError("S3 uploads hand over only to the blob store they live beside")
        await self._blobs.copy(_object_key(upload.id), key, upload.length)
        await self.delete(upload)

    async def _save(self, state: _State) -> None:
        await self._blobs.put_bytes(_info_key(state.upload.id), state.to_json())


@dataclass
class _Pour:
    """A PATCH's bytes on their way: whole parts sent as they fill, the rest in ``buffer``."""

    blobs: S3BlobStore
    leases: JobLeases | None
    part_bytes: int
    state: _State
    job: str
    buffer: bytearray
    received: int = 0
    etags: list[str] = field(default_factory=list)
    parts_id: str = ""

    def __post_init__(self) -> None:
        self.etags = list(self.state.etags)
        self.parts_id = self.state.parts_id

    async def take(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self.buffer += chunk
        size = self.part_bytes
        while len(self.buffer) >= size:
            await self._send(bytes(self.buffer[:size]))
            del self.buffer[:size]

    async def _send(self, part: bytes) -> None:
        key = _object_key(self.state.upload.id)
        if not self.parts_id:
            self.parts_id = await self.blobs.start_parts(key)
        etag = await self.blobs.send_part(key, self.parts_id, len(self.etags) + 1, part)
        self.etags.append(etag)
        await self.keep_lease()

    async def keep_lease(self) -> None:
        """Renew the write lease; a request that lost it (it stalled past the lease and
        another took the upload over) commits nothing."""
        if self.leases is not None and not await self.leases.take(self.job):
            raise TusRequestError(409, "This upload was taken over by another request.")
