"""Conformance for ``WritesDeltas``: what a provider that updates files by blocks must do.

Part of ``provider_conformance.CHECKS``; a provider without ``write_delta`` passes trivially.
Chunks are cut to sizes unrelated to the block size, as a remote source's would be.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import cast

from syncoxide.errors import IntegrityError, NotFoundError
from syncoxide.providers.contract import DeltaWritten, EntryKind, Provider, WritesDeltas

ProviderFactory = Callable[[], Awaitable[Provider]]
BLOCK = 4096
MTIME = 1_600_000_000_123_456_789
OLD = bytes(range(256)) * 80  # 20480 bytes: five blocks


async def _pieces(content: bytes, step: int = 1000) -> AsyncIterator[bytes]:
    for offset in range(0, len(content), step):
        yield content[offset : offset + step]


async def _read(provider: Provider, path: str) -> bytes:
    return b"".join([chunk async for chunk in provider.open_read(path)])


async def _update(
    writer: WritesDeltas, content: bytes, *, wanted: str | None = None, path: str = "d/f.bin"
) -> DeltaWritten:
    return await writer.write_delta(
        path,
        _pieces(content),
        size=len(content),
        block_bytes=BLOCK,
        mtime_ns=MTIME,
        hash_kind="sha1",
        expected_digest=(lambda: wanted) if wanted else None,
    )


async def check_delta_update(make: ProviderFactory) -> None:
    provider = await make()
    if not callable(getattr(provider, "write_delta", None)):
        return
    writer = cast(WritesDeltas, provider)
    await provider.write("d/f.bin", _pieces(OLD), mtime_ns=MTIME, hash_kind="sha1")
    new = OLD[:5000] + b"!" + OLD[5001:] + b"tail"
    sha1 = hashlib.sha1(new).hexdigest()  # noqa: S324 - the contract's digest, not security
    done = await _update(writer, new, wanted=sha1)
    assert await _read(provider, "d/f.bin") == new
    assert done.entry.hashes.get("sha1") == sha1 and done.entry.size == len(new)
    # Block 1 (the "!") and the short last block that grew: nothing else is rewritten.
    assert done.blocks_bytes == BLOCK + 4, done.blocks_bytes
    await _check_mismatch_keeps_the_old_file(provider, writer, new)
    try:
        await _update(writer, new, path="d/missing.bin")
    except NotFoundError:
        pass
    else:
        raise AssertionError("a delta onto no file must raise NotFoundError")


async def _check_mismatch_keeps_the_old_file(
    provider: Provider, writer: WritesDeltas, current: bytes
) -> None:
    try:
        await _update(writer, OLD, wanted="0" * 40)
    except IntegrityError:
        pass
    else:
        raise AssertionError("a digest mismatch must raise IntegrityError")
    assert await _read(provider, "d/f.bin") == current
    files = [
        e.path async for page in provider.list_tree() for e in page if e.kind is not EntryKind.DIR
    ]
    assert files == ["d/f.bin"], files
