"""A provider that encrypts names and content on top of any other provider (like rclone crypt).

The layout on the wrapped provider is exactly the one ``syncoxide encrypt`` writes for a
folder, so ``syncoxide decrypt`` opens a synced remote and this provider opens a folder the CLI
made::

    syncoxide.vault                 the password vault (root only, plaintext name)
    <encrypted name>                every name: crypto/names.py, bound to its plaintext parent
    sxl.<hash>  +  sxl.<hash>.name  a name too long for the provider, and its sidecar
    file content                    crypto/format.py: header, then 64 KiB AES-256-GCM chunks

Sizes are derived from the ciphertext size alone (chunk arithmetic), so listing reads no file.
Names are bound to their folder, so moving a folder re-encrypts every name beneath it; file
contents never move with re-encryption (each file has its own key).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from syncoxide.crypto import names, stream, vault
from syncoxide.crypto.backend import Argon2Params, CryptoBackend
from syncoxide.crypto.format import DEFAULT_CHUNK_LOG2, HEADER_SIZE_V1, ChunkLayout
from syncoxide.crypto.keys import SecretBytes, names_key
from syncoxide.errors import (
    AlreadyExistsError,
    IntegrityError,
    NotFoundError,
    SyncoxideError,
    UsageError,
)
from syncoxide.ports import RandomSource
from syncoxide.providers.contract import (
    HASH_KINDS,
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    Provider,
    PrunePredicate,
    chunks_of,
)

VAULT_FILE = "syncoxide.vault"
# What this provider writes: the default chunk size, so listings can size files without reading.
_LAYOUT = ChunkLayout(HEADER_SIZE_V1, 1 << DEFAULT_CHUNK_LOG2)


@dataclass
class Undecryptable:
    """An entry of the wrapped provider that is not ours (foreign file, altered name)."""

    inner_path: str
    reason: str


class EncryptedProvider:
    def __init__(
        self,
        inner: Provider,
        backend: CryptoBackend,
        master: SecretBytes,
        random: RandomSource,
        *,
        max_name_length: int = names.DEFAULT_MAX_LENGTH,
    ) -> None:
        self._inner = inner
        self._backend = backend
        self._master = master
        self._random = random
        self._names = names.NameCipher(backend, names_key(master), max_name_length)
        self._plain_by_inner: dict[str, str] = {"": ""}
        #: Entries skipped by the last listing, so the caller can report them.
        self.skipped: list[Undecryptable] = []
        self._features = encrypted_features(inner.features)

    def __repr__(self) -> str:
        return f"<EncryptedProvider over {self._inner.root_id}, keys redacted>"

    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return f"crypt:{self._inner.root_id}"

    # -- names -----------------------------------------------------------------------------

    async def _inner_path(self, path: str, *, write_sidecars: bool = False) -> str:
        if not path:
            return ""
        parts = path.split("/")
        stored_parts: list[str] = []
        for depth, name in enumerate(parts):
            stored = await self._names.encrypt("/".join(parts[:depth]), name)
            folder = "/".join(stored_parts)
            if write_sidecars and stored.sidecar is not None and stored.sidecar_name is not None:
                sidecar_path = f"{folder}/{stored.sidecar_name}" if folder else stored.sidecar_name
                await self._inner.write(sidecar_path, chunks_of(stored.sidecar.encode("ascii")))
            stored_parts.append(stored.stored)
        return "/".join(stored_parts)

    async def _plain_path(self, inner_path: str) -> str:
        known = self._plain_by_inner.get(inner_path)
        if known is not None:
            return known
        folder, _, stored = inner_path.rpartition("/")
        plain_folder = await self._plain_path(folder)
        sidecar = None
        if stored.startswith(names.LONG_PREFIX):
            sidecar_path = f"{inner_path}{names.SIDECAR_SUFFIX}"
            sidecar = (await _read_all(self._inner, sidecar_path)).decode("ascii", "replace")
        name = await self._names.decrypt(plain_folder, stored, sidecar)
        plain = f"{plain_folder}/{name}" if plain_folder else name
        self._plain_by_inner[inner_path] = plain
        return plain

    def _is_ours(self, inner_path: str) -> bool:
        base = inner_path.rpartition("/")[2]
        return inner_path != VAULT_FILE and not names.is_sidecar(base)

    async def _outer_entry(self, inner: Entry) -> Entry:
        path = await self._plain_path(inner.path)
        if inner.kind is EntryKind.DIR:
            return Entry(path, EntryKind.DIR, 0, inner.mtime_ns)
        return Entry(path, inner.kind, _LAYOUT.plaintext_size(inner.size), inner.mtime_ns)

    # -- reading ---------------------------------------------------------------------------

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        self.skipped = []
        async for page in self._inner.list_tree():
            entries = []
            for inner in page:
                if inner.kind is EntryKind.PARTIAL or not self._is_ours(inner.path):
                    continue
                try:
                    entry = await self._outer_entry(inner)
                except SyncoxideError as error:
                    self.skipped.append(Undecryptable(inner.path, error.message))
                    continue
                if prune is not None and any(prune(a) for a in _self_and_ancestors(entry)):
                    continue
                entries.append(entry)
            if entries:
                yield entries

    async def stat(self, path: str) -> Entry:
        if not path:
            return Entry("", EntryKind.DIR)
        inner = await self._inner.stat(await self._inner_path(path))
        self._plain_by_inner.setdefault(inner.path, path)
        return await self._outer_entry(inner)

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        inner_path = await self._inner_path(path)
        ciphertext_size = (await self._inner.stat(inner_path)).size
        header_reader = _reader(self._inner.open_read(inner_path, 0, 4096))
        opener = await stream.FileOpener.create(
            self._backend, self._master, await stream.read_header(header_reader)
        )
        layout = opener.layout
        end = layout.plaintext_size(ciphertext_size)
        end = end if length is None else min(end, offset + length)
        wanted = layout.chunks_for_range(offset, end)
        for first in range(wanted.start, wanted.stop, stream.BATCH_CHUNKS):
            indexes = range(first, min(first + stream.BATCH_CHUNKS, wanted.stop))
            plains = await self._open_span(opener, inner_path, ciphertext_size, indexes)
            base = first * layout.chunk_size
            yield b"".join(plains)[max(offset - base, 0) : end - base]

    async def _open_span(
        self, opener: stream.FileOpener, inner_path: str, ciphertext_size: int, indexes: range
    ) -> list[bytes]:
        spans = [opener.layout.span(index, ciphertext_size) for index in indexes]
        start, stop = spans[0].offset, spans[-1].offset + spans[-1].size
        raw = await _read_all(self._inner, inner_path, start, stop - start)
        records = [raw[s.offset - start : s.offset - start + s.size] for s in spans]
        return await opener.open_chunks(indexes.start, records, last=spans[-1].last)

    async def hash(self, path: str, kind: str) -> str:
        digest = hashlib.new(kind)
        async for chunk in self.open_read(path):
            digest.update(chunk)
        return digest.hexdigest()

    # -- writing ---------------------------------------------------------------------------

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        inner_path = await self._inner_path(path, write_sidecars=True)
        sealer = await stream.FileSealer.create(self._backend, self._master, self._random)
        digest = hashlib.new(hash_kind or "sha1")
        size = 0

        async def ciphertext() -> AsyncIterator[bytes]:
            nonlocal size
            yield sealer.header.encode()
            async for pieces, ended in stream.batches(_reader(chunks), sealer.header.chunk_size):
                for piece in pieces:
                    digest.update(piece)
                    size += len(piece)
                for sealed in await sealer.seal_chunks(pieces, last=ended):
                    yield sealed

        def check_plaintext() -> None:
            wanted = expected_digest() if expected_digest is not None else None
            if wanted is not None and wanted != digest.hexdigest():
                raise IntegrityError(f"{path}: the bytes written do not match the source's digest.")

        stored = await self._inner.write(
            inner_path, ciphertext(), mtime_ns=mtime_ns, expected_digest=check_plaintext
        )
        self._plain_by_inner[inner_path] = path
        hashes = {hash_kind: digest.hexdigest()} if hash_kind else {}
        return Entry(path, EntryKind.FILE, size, stored.mtime_ns, hashes)

    async def mkdir(self, path: str) -> None:
        await self._inner.mkdir(await self._inner_path(path, write_sidecars=True))

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        await self._inner.set_mtime(await self._inner_path(path), mtime_ns)

    async def delete(self, path: str) -> None:
        inner_path = await self._inner_path(path)
        await self._inner.delete(inner_path)
        self._plain_by_inner.pop(inner_path, None)
        if inner_path.rpartition("/")[2].startswith(names.LONG_PREFIX):
            await self._inner.delete(inner_path + names.SIDECAR_SUFFIX)

    async def move(self, source: str, target: str) -> None:
        entry = await self.stat(source)
        if await _exists(self, target):
            raise AlreadyExistsError(f"{target} already exists; nothing was moved.")
        if entry.kind is not EntryKind.DIR:
            await self._move_file(source, target)
            return
        # Names below a folder are bound to its path: move each entry under its new name.
        below = [
            e async for page in self.list_tree() for e in page if e.path.startswith(source + "/")
        ]
        await self.mkdir(target)
        for inner_entry in sorted(below, key=lambda e: e.path.count("/")):
            moved = target + inner_entry.path[len(source) :]
            if inner_entry.kind is EntryKind.DIR:
                await self.mkdir(moved)
            else:
                await self._move_file(inner_entry.path, moved)
        for folder in sorted((e.path for e in below if e.kind is EntryKind.DIR), reverse=True):
            await self.delete(folder)
        await self.delete(source)

    async def _move_file(self, source: str, target: str) -> None:
        old, new = (
            await self._inner_path(source),
            await self._inner_path(target, write_sidecars=True),
        )
        await self._inner.move(old, new)
        self._plain_by_inner.pop(old, None)
        if old.rpartition("/")[2].startswith(names.LONG_PREFIX):
            await self._inner.delete(old + names.SIDECAR_SUFFIX)


def encrypted_features(inner: Features) -> Features:
    return Features(
        case_sensitive=True,  # encrypted names differ in more than case
        mtime_precision_ns=inner.mtime_precision_ns,
        server_side_copy=False,
        server_side_move=inner.server_side_move,
        hash_kinds=frozenset(HASH_KINDS),
        listing_hash_kinds=frozenset(),
        byte_names=True,  # a name's bytes are encrypted; the inner store sees base32 only
        sets_mtime_in_place=inner.sets_mtime_in_place,
        lists_whole_files=inner.lists_whole_files,
    )


class PasswordFolder:
    """The encrypted folder at ``inner``'s root, unlocked with a password on first use.

    Lets a program build all its providers before its event loop runs: reading the vault and
    Argon2id happen inside the loop, once, on the first call.
    """

    def __init__(
        self,
        inner: Provider,
        backend: CryptoBackend,
        password: SecretBytes,
        random: RandomSource,
        *,
        params: Argon2Params | None = None,
    ) -> None:
        self._inner, self._backend, self._password = inner, backend, password
        self._random, self._params = random, params
        self._opened: EncryptedProvider | None = None

    def __repr__(self) -> str:
        return f"<PasswordFolder over {self._inner.root_id}, password redacted>"

    @property
    def features(self) -> Features:
        return encrypted_features(self._inner.features)

    @property
    def root_id(self) -> str:
        return f"crypt:{self._inner.root_id}"

    async def _open(self) -> EncryptedProvider:
        if self._opened is None:
            self._opened = await open_encrypted(
                self._inner, self._backend, self._password, self._random, params=self._params
            )
        return self._opened

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        async for page in (await self._open()).list_tree(prune):
            yield page

    async def stat(self, path: str) -> Entry:
        return await (await self._open()).stat(path)

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        async for chunk in (await self._open()).open_read(path, offset, length):
            yield chunk

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        opened = await self._open()
        return await opened.write(
            path, chunks, mtime_ns=mtime_ns, hash_kind=hash_kind, expected_digest=expected_digest
        )

    async def delete(self, path: str) -> None:
        await (await self._open()).delete(path)

    async def mkdir(self, path: str) -> None:
        await (await self._open()).mkdir(path)

    async def move(self, source: str, target: str) -> None:
        await (await self._open()).move(source, target)

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        await (await self._open()).set_mtime(path, mtime_ns)

    async def hash(self, path: str, kind: str) -> str:
        return await (await self._open()).hash(path, kind)

    async def aclose(self) -> None:
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            await close()


async def open_encrypted(
    inner: Provider,
    backend: CryptoBackend,
    password: SecretBytes,
    random: RandomSource,
    *,
    params: Argon2Params | None = None,
) -> EncryptedProvider:
    """Unlock the encrypted folder at ``inner``'s root, or start one there if it is empty."""
    try:
        record = vault.parse_vault(await _read_all(inner, VAULT_FILE))
    except NotFoundError:
        async for page in inner.list_tree():
            if any(entry.kind is not EntryKind.PARTIAL for entry in page):
                raise UsageError(
                    f"{inner.root_id} has files but no {VAULT_FILE}: not an encrypted folder.",
                    hint="Nothing was changed. Point at an empty folder to start a new one.",
                ) from None
        record, master = await vault.create_vault(backend, password, random, params)
        await inner.write(VAULT_FILE, chunks_of(record.encode()))
        return EncryptedProvider(inner, backend, master, random)
    master = await vault.unlock_vault(backend, record, password)
    return EncryptedProvider(inner, backend, master, random)


def _self_and_ancestors(entry: Entry) -> list[str]:
    parts = entry.path.split("/")
    folders = ["/".join(parts[:i]) for i in range(1, len(parts))]
    return [*folders, entry.path] if entry.kind is EntryKind.DIR else folders


async def _read_all(
    provider: Provider, path: str, offset: int = 0, length: int | None = None
) -> bytes:
    return b"".join([chunk async for chunk in provider.open_read(path, offset, length)])


async def _exists(provider: EncryptedProvider, path: str) -> bool:
    try:
        await provider.stat(path)
    except NotFoundError:
        return False
    return True


def _reader(chunks: AsyncIterator[bytes]) -> stream.Read:
    """An async iterator of any-sized chunks as a ``read(n)`` callable."""
    buffer = bytearray()
    iterator = chunks.__aiter__()
    exhausted = False

    async def read(size: int) -> bytes:
        nonlocal exhausted
        while len(buffer) < size and not exhausted:
            try:
                buffer.extend(await iterator.__anext__())
            except StopAsyncIteration:
                exhausted = True
        piece = bytes(buffer[:size])
        del buffer[:size]
        return piece

    return read
