"""Digests computed while bytes stream past, shared by the network providers.

Remote stores either cannot hash for us (SFTP, WebDAV) or hash differently (multipart S3
ETags), so every provider hashes the bytes it sends, in order, and checks the source's digest
before giving the upload its final name.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any

from syncoxide.errors import IntegrityError
from syncoxide.providers.contract import ExpectedDigest

# Below this size a digest update is cheaper than a thread hop; above it the hop lets hashlib
# (which drops the GIL) run while the event loop keeps other parts moving.
_THREAD_HOP_BYTES = 256 * 1024


class StreamDigests:
    """Running digests of one stream, for ``kinds`` (duplicates and None ignored)."""

    def __init__(self, *kinds: str | None) -> None:
        self._hashers: dict[str, Any] = {k: hashlib.new(k) for k in kinds if k}
        self.size = 0

    async def update(self, block: bytes | memoryview) -> None:
        self.size += len(block)
        if len(block) >= _THREAD_HOP_BYTES:
            await asyncio.to_thread(self._update, block)
        else:
            self._update(block)

    def _update(self, block: bytes | memoryview) -> None:
        for hasher in self._hashers.values():
            hasher.update(block)

    def hexdigest(self, kind: str) -> str:
        return str(self._hashers[kind].hexdigest())

    def digest(self, kind: str) -> bytes:
        return bytes(self._hashers[kind].digest())

    def hashes(self, *kinds: str | None) -> dict[str, str]:
        return {kind: self.hexdigest(kind) for kind in kinds if kind}


async def read_head(
    chunks: AsyncIterator[bytes], digests: StreamDigests, limit: int
) -> tuple[bytes, AsyncIterator[bytes] | None]:
    """Up to ``limit`` bytes, hashed: (those bytes, the rest of the stream or None if it ended).

    Lets a provider choose between a one-request upload and a session before sending anything.
    """
    iterator = aiter(chunks)
    buffer = bytearray()
    async for block in iterator:
        await digests.update(block)
        buffer += block
        if len(buffer) > limit:
            return bytes(buffer), iterator
    return bytes(buffer), None


class ChunkCutter:
    """Cuts a stream into chunks of exactly ``size`` bytes, holding back the last one (1 to
    ``size`` bytes) until the stream ended: upload sessions commit with their last chunk."""

    def __init__(self, head: bytes, size: int) -> None:
        self._buffer = bytearray(head)
        self._size = size

    async def whole(
        self, rest: AsyncIterator[bytes], digests: StreamDigests
    ) -> AsyncIterator[bytes]:
        """Hashes ``rest`` into ``digests`` and yields every chunk but the last."""
        async for block in rest:
            await digests.update(block)
            self._buffer += block
            while len(self._buffer) > self._size:
                chunk = bytes(self._buffer[: self._size])
                del self._buffer[: self._size]
                yield chunk

    def last(self) -> bytes:
        return bytes(self._buffer)


def verify_expected(
    expected_digest: ExpectedDigest | None, digests: StreamDigests, kind: str | None, path: str
) -> None:
    """Raises IntegrityError when the source's digest differs from what was sent.

    Without a ``kind`` the digest is taken to be sha1, as in the memory provider."""
    if expected_digest is None:
        return
    wanted = expected_digest()
    if wanted is None:
        return
    if wanted != digests.hexdigest(kind or "sha1"):
        raise IntegrityError(
            f"{path!r} did not match its source after the copy.",
            hint="Nothing was committed; the previous version was kept.",
        )


def mtime_to_text(mtime_ns: int) -> str:
    """Seconds with nine decimals, the form rclone stores (``1600000000.123456789``)."""
    seconds, nanos = divmod(mtime_ns, 10**9)
    return f"{seconds}.{nanos:09d}"


def mtime_from_text(text: str) -> int | None:
    """Parses ``mtime_to_text`` output (and shorter fractions) exactly; None if malformed."""
    whole, _, fraction = text.strip().partition(".")
    if not whole.lstrip("-").isdigit() or (fraction and not fraction.isdigit()):
        return None
    return int(whole) * 10**9 + int((fraction + "000000000")[:9] or 0)
