"""Digests of an upload's bytes, kept while they arrive so a finished upload is described
without reading it again."""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

#: Chunks at least this long are hashed off the event loop.
_THREAD_HASH_BYTES = 1 << 20


@dataclass
class ContentDigest:
    """CRC-32, SHA-256 and SHA-1 of an upload's first ``offset`` bytes (SHA-1 is the digest
    sync providers compare; the others serve links)."""

    offset: int = 0
    crc: int = 0
    sha256: hashlib._Hash = field(default_factory=hashlib.sha256)
    sha1: hashlib._Hash = field(default_factory=hashlib.sha1)

    def fork(self) -> ContentDigest:
        return ContentDigest(self.offset, self.crc, self.sha256.copy(), self.sha1.copy())

    def update(self, chunk: bytes) -> None:
        self.offset += len(chunk)
        self.crc = zlib.crc32(chunk, self.crc)
        self.sha256.update(chunk)
        self.sha1.update(chunk)


async def digest_of(chunks: AsyncIterator[bytes]) -> ContentDigest:
    """Every digest of a stream, hashing big chunks in a thread."""
    content = ContentDigest()
    async for chunk in chunks:
        if len(chunk) >= _THREAD_HASH_BYTES:
            await asyncio.to_thread(content.update, chunk)
        else:
            content.update(chunk)
    return content
