"""Where tus uploads are assembled: the contract both upload stores keep.

``UploadStore`` (store.py) assembles them in files under the data directory: the embedded
default, and one host's instances sharing that folder. ``S3UploadStore`` (s3_store.py)
assembles them as multipart uploads in the deployment's bucket, so any instance on any host
takes the next PATCH and none holds a whole file. The endpoint and the services that keep
finished uploads (share links, request links, the user's own files) see only this contract.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from syncoxide.server.storage.port import BlobStore
from syncoxide.server.tus.digest import ContentDigest
from syncoxide.server.tus.upload import Upload


class Uploads(Protocol):
    async def create(
        self, length: int, metadata: dict[str, str], scope: str, lifetime: float
    ) -> Upload: ...

    async def get(self, upload_id: str, scope: str) -> Upload:
        """The upload, if it exists, belongs to ``scope`` and has not expired; else
        ``TusRequestError`` 404 (410 once when it just expired)."""
        ...

    async def declare_length(self, upload: Upload, length: int) -> Upload:
        """Fix the length of a deferred upload (``creation-defer-length``), once."""
        ...

    async def append(
        self,
        upload: Upload,
        offset: int,
        body: AsyncIterator[bytes],
        checksum: tuple[str, bytes] | None,
        *,
        max_room: int = 0,
    ) -> Upload:
        """Add ``body`` at ``offset``. With a checksum, all of it or nothing is kept; without,
        a cut body keeps what arrived. A deferred upload takes at most ``max_room`` bytes."""
        ...

    async def delete(self, upload: Upload) -> None: ...

    async def sweep_abandoned(self) -> None:
        """Now and then, free what uploads nobody finished hold (services call it as
        uploads start)."""
        ...

    async def remove_expired(self) -> int: ...

    async def digests(self, upload: Upload) -> ContentDigest:
        """CRC-32, SHA-1 and SHA-256 of a complete upload: kept while it arrived, or read
        once more (after a restart, or when its PATCHes went to several instances)."""
        ...

    def read(self, upload: Upload, length: int | None = None) -> AsyncIterator[bytes]:
        """The first ``length`` bytes (all when None) of a complete upload."""
        ...

    async def hand_over(self, upload: Upload, blobs: BlobStore, key: str) -> None:
        """Make the complete upload's bytes the blob ``key`` (durably) and forget the upload."""
        ...
