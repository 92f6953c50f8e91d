"""Upload state on disk: ``<id>.bin`` holds the bytes, ``<id>.json`` the committed state.

How it stays correct across crashes and cut connections: ``offset`` in the JSON file is the
commit point. Bytes are written into ``<id>.bin`` at that offset, flushed to disk, and only
then is the new offset recorded (by an atomic rename of the JSON file). Anything in the data
file beyond the recorded offset is garbage from an interrupted request and is cut off before
the next write. A request that carries a checksum commits nothing unless the digest matches;
one without a checksum that is cut off commits what arrived, so the client resumes from there.

While bytes arrive, a CRC-32 and a SHA-256 of everything committed so far are kept in memory
(``ContentDigest``), so a finished upload is described without reading it again. They are only
a shortcut: after a restart they are gone, and ``content_digest`` answers None so the caller
hashes the file itself.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import BinaryIO, Protocol

from syncoxide.server.storage.owner_only import create_owner_only, mkdir_owner_only
from syncoxide.server.storage.port import BlobStore
from syncoxide.server.tus.digest import ContentDigest, digest_of
from syncoxide.server.tus.headers import CHECKSUM_MISMATCH, TusRequestError
from syncoxide.server.tus.upload import (
    ID_BYTES,
    Upload,
    is_upload_id,
    too_long,
    with_declared_length,
)

#: How often, at most, the upload folder is scanned for uploads nobody finished.
SWEEP_EVERY_SECONDS = 3600

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


class UploadStore:
    """Uploads assembled in files under one folder (see the module's docstring)."""

    def __init__(self, root: Path, clock: Callable[[], float]) -> None:
        self.root = root
        self.clock = clock
        mkdir_owner_only(self.root)
        self._writing: set[str] = set()
        self._digests: dict[str, ContentDigest] = {}
        self._swept_at = 0.0

    def data_path(self, upload: Upload) -> Path:
        return self.root / f"{upload.id}.bin"

    def _state_path(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.json"

    async def create(
        self, length: int, metadata: dict[str, str], scope: str, lifetime: float
    ) -> Upload:
        now = self.clock()
        upload = Upload(
            secrets.token_urlsafe(ID_BYTES), length, 0, scope, now, now + lifetime, metadata
        )
        self.data_path(upload).touch(mode=0o600)
        self._save(upload)
        return upload

    async def get(self, upload_id: str, scope: str) -> Upload:
        """The upload, if it exists, belongs to ``scope`` and has not expired."""
        if not is_upload_id(upload_id):
            raise TusRequestError(404, "No such upload.")
        try:
            upload = Upload(**json.loads(self._state_path(upload_id).read_text()))
        except (OSError, ValueError, TypeError) as error:
            raise TusRequestError(404, "No such upload.") from error
        if upload.scope != scope:
            raise TusRequestError(404, "No such upload.")  # never confirm someone else's id
        if upload.expires <= self.clock() and not upload.complete:
            await self.delete(upload)
            raise TusRequestError(410, "This upload expired; start it again.")
        return upload

    async def digests(self, upload: Upload) -> ContentDigest:
        return self.kept_digest(upload) or await digest_of(self.read(upload))

    async def read(self, upload: Upload, length: int | None = None) -> AsyncIterator[bytes]:
        left = upload.offset if length is None else min(length, upload.offset)
        with self.data_path(upload).open("rb") as data:
            while left > 0:
                chunk = await asyncio.to_thread(data.read, min(left, 1 << 20))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk

    async def hand_over(self, upload: Upload, blobs: BlobStore, key: str) -> None:
        """The file becomes the blob: renamed on this disk, streamed to any other store."""
        await blobs.adopt(key, self.data_path(upload))
        await self.delete(upload)

    def kept_digest(self, upload: Upload) -> ContentDigest | None:
        """Every digest of a complete upload, if they were kept while it arrived."""
        kept = self._digests.get(upload.id)
        if kept is None or kept.offset != upload.offset or not upload.complete:
            return None
        return kept

    async def declare_length(self, upload: Upload, length: int) -> Upload:
        """Fix the length of a deferred upload (``creation-defer-length``), once."""
        updated = with_declared_length(upload, length)
        if updated is not upload:
            self._save(updated)
        return updated

    async def delete(self, upload: Upload) -> None:
        self._digests.pop(upload.id, None)
        self.data_path(upload).unlink(missing_ok=True)
        self._state_path(upload.id).unlink(missing_ok=True)

    async def sweep_abandoned(self) -> None:
        """Free the disk held by uploads nobody finished, now and then (one folder scan);
        every service that takes uploads into this store calls it as uploads start."""
        now = self.clock()
        if now - self._swept_at >= SWEEP_EVERY_SECONDS:
            self._swept_at = now
            await self.remove_expired()

    async def remove_expired(self) -> int:
        now, removed = self.clock(), 0
        for state in self.root.glob("*.json"):
            try:
                upload = Upload(**json.loads(state.read_text()))
            except (OSError, ValueError, TypeError):
                continue
            if upload.expires <= now and not upload.complete:
                await self.delete(upload)
                removed += 1
        return removed

    async def append(
        self,
        upload: Upload,
        offset: int,
        body: AsyncIterator[bytes],
        checksum: tuple[str, bytes] | None,
        *,
        max_room: int = 0,
    ) -> Upload:
        """Writes ``body`` at ``offset``; a deferred upload takes at most ``max_room`` bytes."""
        if offset != upload.offset:
            raise TusRequestError(
                409, f"Upload-Offset is {offset}, but the upload is at {upload.offset}."
            )
        if upload.id in self._writing:
            raise TusRequestError(409, "Another request is writing this upload; retry shortly.")
        self._writing.add(upload.id)
        try:
            received = await self._write_at(upload, body, checksum, max_room)
        finally:
            self._writing.discard(upload.id)
        updated = replace(upload, offset=upload.offset + received)
        self._save(updated)
        return updated

    async def _write_at(
        self,
        upload: Upload,
        body: AsyncIterator[bytes],
        checksum: tuple[str, bytes] | None,
        max_room: int,
    ) -> int:
        digest = hashlib.new(checksum[0]) if checksum else None
        kept = self._digests.get(upload.id)
        content = kept.fork() if kept and kept.offset == upload.offset else None
        if content is None and upload.offset == 0:
            content = ContentDigest()
        room = upload.length - upload.offset if not upload.deferred else max_room
        # Unbuffered: a full disk is met by the write that hits it, and no buffered bytes
        # remain to fail again when the file is cut back and closed.
        with self.data_path(upload).open("r+b", buffering=0) as data:
            data.truncate(upload.offset)
            data.seek(upload.offset)
            pour = _Pour(data, room, [h for h in (digest, content) if h is not None])
            try:
                if not await pour.take(body):
                    data.truncate(upload.offset)
                    raise too_long(upload)
            except TusRequestError:
                raise
            except Exception as error:
                if isinstance(error, OSError) and error.errno in DISK_FULL:
                    data.truncate(upload.offset)  # give the space back; resume from the offset
                    raise _disk_full(upload) from None
                # The connection was cut: keep what arrived unless it cannot be verified.
                if checksum is not None:
                    data.truncate(upload.offset)
                    raise
                await _flush(data)
                self._save(replace(upload, offset=upload.offset + pour.received))
                self._keep_digest(upload.id, content)
                raise
            if checksum is not None and digest is not None and digest.digest() != checksum[1]:
                data.truncate(upload.offset)
                raise TusRequestError(
                    CHECKSUM_MISMATCH, "The bytes do not match Upload-Checksum; resend them."
                )
            await _flush(data)
        self._keep_digest(upload.id, content)
        return pour.received

    def _keep_digest(self, upload_id: str, content: ContentDigest | None) -> None:
        if content is None:
            self._digests.pop(upload_id, None)
        else:
            self._digests[upload_id] = content

    def _save(self, upload: Upload) -> None:
        target = self._state_path(upload.id)
        staging = target.with_suffix(".json.tmp")
        staging.unlink(missing_ok=True)  # left by a crash between these two steps
        with create_owner_only(staging) as out:  # it names the file and who sent it
            out.write(json.dumps(asdict(upload)).encode())
        staging.replace(target)


def _disk_full(upload: Upload) -> TusRequestError:
    return TusRequestError(
        507,
        f"The server's disk is full: this request's bytes were not kept. The {upload.offset}"
        " bytes stored before it are safe; resume once space is freed (tell the server's admin).",
    )


def _write_all(data: BinaryIO, chunk: bytes) -> None:
    """Write all of ``chunk`` to an unbuffered file (a raw write may take only part of it)."""
    view = memoryview(chunk)
    while view:
        written = data.write(view)
        if not written:  # a regular file raises ENOSPC rather than take nothing; be sure
            raise OSError(errno.ENOSPC, "the disk took none of the bytes")
        view = view[written:]


async def _flush(data: BinaryIO) -> None:
    """fsync off the event loop: a slow disk must not stall every other request."""
    data.flush()
    await asyncio.to_thread(os.fsync, data.fileno())


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


@dataclass
class _Pour:
    """A request body written into an upload's file, each chunk also fed to the hashers."""

    data: BinaryIO
    room: int  # bytes the body may hold
    hashers: list[_Hasher]
    received: int = 0

    async def take(self, body: AsyncIterator[bytes]) -> bool:
        """Write every chunk; False (nothing past ``room`` written) when the body is too long."""
        async for chunk in body:
            self.received += len(chunk)
            if self.received > self.room:
                return False
            _write_all(self.data, chunk)
            for hasher in self.hashers:
                hasher.update(chunk)
        return True
