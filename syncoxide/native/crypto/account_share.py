"""An encrypted account share's folder, read and written through any provider.

The CLI points a provider at the member's own place of the share (``home:`` through the
server's storage API) and calls these. Files are sealed while they stream to the provider and
opened while they stream back, chunk by chunk with every tag checked; what is written locally
goes under a hidden partial name and is renamed into place only once the whole file opened,
so a tampered file leaves nothing behind. The layout is ``syncoxide.crypto.share_folder``'s.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from syncoxide.crypto import stream
from syncoxide.crypto.share_folder import ShareKeys, generation_of
from syncoxide.crypto.share_grant import KEYRING_NAME, Grant, encode_keyring, parse_keyring
from syncoxide.errors import NotFoundError, TamperedDataError, WrongKeyError
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.ports import RandomSource
from syncoxide.providers.contract import EntryKind, Provider

BACKEND = CryptographyBackend()
_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class SharedFile:
    path: str  # the plaintext path
    stored: str  # where the ciphertext is, in the share's folder
    size: int  # of the ciphertext
    generation: int


async def read_keyring(provider: Provider) -> list[Grant] | None:
    """The share's grants, or None when the folder has no keyring yet."""
    try:
        data = b"".join([block async for block in provider.open_read(KEYRING_NAME)])
    except NotFoundError:
        return None
    return parse_keyring(data)


async def write_keyring(provider: Provider, grants: list[Grant]) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield encode_keyring(grants)

    await provider.write(KEYRING_NAME, chunks())


async def list_files(provider: Provider, keys: ShareKeys) -> list[SharedFile]:
    """Every file with its plaintext path; per path, the copy of the newest generation."""
    found: dict[str, SharedFile] = {}
    async for page in provider.list_tree():
        for entry in page:
            generation = generation_of(entry.path)
            if entry.kind != EntryKind.FILE or generation is None:
                continue
            if generation not in keys.keys:
                continue  # written after this member's access ended: not theirs to see
            path = await keys.plain_path(BACKEND, entry.path)
            known = found.get(path)
            if known is None or known.generation < generation:
                found[path] = SharedFile(path, entry.path, entry.size, generation)
    return sorted(found.values(), key=lambda shared: shared.path)


async def put_file(
    provider: Provider, keys: ShareKeys, source: Path, *, path: str, random: RandomSource
) -> str:
    """``source`` sealed under the current share key as ``path``; older copies removed."""
    generation, key = keys.current()
    stored = await keys.stored_path(BACKEND, generation, path)
    sealer = await stream.FileSealer.create(BACKEND, key, random)
    with source.open("rb") as plain:
        await provider.write(stored, _sealed(sealer, plain.read))
    for older in range(1, generation):
        if older in keys.keys:
            with contextlib.suppress(NotFoundError):
                await provider.delete(await keys.stored_path(BACKEND, older, path))
    return stored


async def _sealed(
    sealer: stream.FileSealer, read_plain: Callable[[int], bytes]
) -> AsyncIterator[bytes]:
    async def read(size: int) -> bytes:
        return read_plain(size)  # a buffered file: short only at its end

    yield sealer.header.encode()
    async for pieces, ended in stream.batches(read, sealer.header.chunk_size):
        for sealed in await sealer.seal_chunks(pieces, last=ended):
            yield sealed


class _Blocks:
    """``read(n)`` over a provider's stream of blocks."""

    def __init__(self, blocks: AsyncIterator[bytes]) -> None:
        self._blocks = blocks
        self._buffer = b""

    async def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            block = await anext(self._blocks, b"")
            if not block:
                break
            self._buffer += block
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        return taken


async def open_file(
    provider: Provider, keys: ShareKeys, shared: SharedFile, write: stream.Write
) -> int:
    """Decrypt ``shared`` into ``write``; returns the plaintext size."""
    key = keys.key(shared.generation)
    read = _Blocks(provider.open_read(shared.stored)).read
    header = await stream.read_header(read)
    try:
        opener = await stream.FileOpener.create(BACKEND, key, header)
    except WrongKeyError:
        raise TamperedDataError(
            f"{shared.path!r} is not sealed with its folder's share key: it was moved or altered.",
            hint="Nothing was written.",
        ) from None
    return await stream.open_stream(opener, read, write)


async def save_file(provider: Provider, keys: ShareKeys, shared: SharedFile, target: Path) -> None:
    """Decrypt ``shared`` to ``target`` (never over an existing file; nothing on failure)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.syncoxide-partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:

            async def write(data: bytes) -> None:
                out.write(data)

            await open_file(provider, keys, shared, write)
        os.link(partial, target)  # fails, keeping what is there, if target exists
    finally:
        partial.unlink(missing_ok=True)
