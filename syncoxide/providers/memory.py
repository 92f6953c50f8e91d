"""An in-memory provider: the reference implementation of the contract, and a test double.

It can pretend to be case-insensitive and can inject faults (corrupted or failing writes) so
the engine's verify-and-retry path is exercised without real hardware going bad.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    IntegrityError,
    NotFoundError,
    ProviderError,
    UsageError,
)
from syncoxide.providers.contract import (
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    PrunePredicate,
)


@dataclass
class _Stored:
    kind: EntryKind
    content: bytes = b""
    mtime_ns: int = 0
    link_target: str | None = None


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


class MemoryProvider:
    """Files in a dict. ``now_ns`` stamps writes that come without an mtime."""

    def __init__(
        self,
        name: str = "memory",
        *,
        case_sensitive: bool = True,
        page_size: int = 100,
        chunk_size: int = 64 * 1024,
        server_side_move: bool = True,
        server_side_copy: bool = True,
        hashes_cheaply: bool = True,
    ) -> None:
        self._name = name
        self._objects: dict[str, _Stored] = {}
        # Remembers the spelling a case-insensitive store was given, like NTFS or APFS.
        self._names: dict[str, str] = {}
        # Hashing bytes held in memory is as cheap as it gets; tests that stand a memory store in
        # for a remote whose hash() would download pass hashes_cheaply=False.
        self._features = Features(
            case_sensitive=case_sensitive,
            server_side_move=server_side_move,
            server_side_copy=server_side_copy,
            hashes_cheaply=hashes_cheaply,
            byte_names=True,
        )
        self._page_size = page_size
        self._chunk_size = chunk_size
        self.now_ns = 1_700_000_000 * 10**9
        #: Fault injection: the next N writes store one flipped byte (as bad storage would).
        self.corrupt_next_writes = 0
        #: Fault injection: writes to these paths fail with ProviderError.
        self.failing_paths: set[str] = set()
        #: What the engine asked of this store: calls per method and bytes written, as a
        #: server's counters would show them (tests check that a move moved no bytes).
        self.calls: Counter[str] = Counter()
        self.bytes_written = 0

    # -- helpers for tests -------------------------------------------------------------
    def pretend(self, **features: Any) -> None:
        """Stand in for another kind of store: ``pretend(sets_mtime_in_place=False)``."""
        self._features = replace(self._features, **features)

    def _key(self, path: str) -> str:
        return path if self._features.case_sensitive else path.casefold()

    def put(self, path: str, content: bytes, mtime_ns: int | None = None) -> None:
        """Place a file directly (no verification), creating parents."""
        for ancestor in _ancestors(path):
            self._objects.setdefault(self._key(ancestor), _Stored(EntryKind.DIR))
        stamp = self.now_ns if mtime_ns is None else mtime_ns
        self._objects[self._key(path)] = _Stored(EntryKind.FILE, content, stamp)
        self._names[self._key(path)] = path

    def put_symlink(self, path: str, target: str) -> None:
        self._objects[self._key(path)] = _Stored(EntryKind.SYMLINK, link_target=target)
        self._names[self._key(path)] = path

    def read(self, path: str) -> bytes:
        return self._get(path).content

    def snapshot(self) -> dict[str, bytes]:
        """Files only, by their stored name: what a test compares."""
        return {
            self._names.get(key, key): stored.content
            for key, stored in self._objects.items()
            if stored.kind is EntryKind.FILE
        }

    def directories(self) -> set[str]:
        return {
            self._names.get(key, key)
            for key, stored in self._objects.items()
            if stored.kind is EntryKind.DIR
        }

    def _get(self, path: str) -> _Stored:
        stored = self._objects.get(self._key(path))
        if stored is None:
            raise NotFoundError(f"{self._name}: {path!r} does not exist.")
        return stored

    def _entry(self, key: str, stored: _Stored) -> Entry:
        return Entry(
            path=self._names.get(key, key),
            kind=stored.kind,
            size=len(stored.content),
            mtime_ns=stored.mtime_ns,
            link_target=stored.link_target,
        )

    # -- the contract ------------------------------------------------------------------
    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return f"memory:{self._name}"

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        pruned = [
            key
            for key, stored in self._objects.items()
            if stored.kind is EntryKind.DIR
            and prune is not None
            and prune(self._names.get(key, key))
        ]
        page: list[Entry] = []
        for key, stored in sorted(self._objects.items()):
            if any(key == p or key.startswith(p + "/") for p in pruned):
                continue
            page.append(self._entry(key, stored))
            if len(page) >= self._page_size:
                yield page
                page = []
        if page:
            yield page

    async def stat(self, path: str) -> Entry:
        return self._entry(self._key(path), self._get(path))

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        stored = self._get(path)
        if stored.kind is not EntryKind.FILE:
            raise UsageError(f"{self._name}: {path!r} is not a file.")
        end = len(stored.content) if length is None else min(len(stored.content), offset + length)
        for start in range(offset, end, self._chunk_size):
            yield stored.content[start : min(end, start + self._chunk_size)]

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        if path in self.failing_paths:
            raise ProviderError(f"{self._name}: writing {path!r} failed (injected fault).")
        existing = self._objects.get(self._key(path))
        if existing is not None and existing.kind is EntryKind.DIR:
            raise AlreadyExistsError(f"{self._name}: {path!r} is a directory.")
        content = b"".join([chunk async for chunk in chunks])
        self.calls["write"] += 1
        self.bytes_written += len(content)
        if self.corrupt_next_writes > 0 and content:
            self.corrupt_next_writes -= 1
            content = bytes([content[0] ^ 0xFF]) + content[1:]
        digest = hashlib.new(hash_kind or "sha1", content).hexdigest()
        if expected_digest is not None:
            wanted = expected_digest()
            if wanted is not None and wanted != digest:
                raise IntegrityError(
                    f"{self._name}: {path!r} did not match its source after the copy.",
                    hint="The previous version was kept.",
                )
        self.put(path, content, self.now_ns if mtime_ns is None else mtime_ns)
        entry = await self.stat(path)
        return replace(entry, hashes={hash_kind: digest} if hash_kind else {})

    async def delete(self, path: str) -> None:
        stored = self._get(path)
        key = self._key(path)
        if stored.kind is EntryKind.DIR and any(k.startswith(key + "/") for k in self._objects):
            raise DirectoryNotEmptyError(f"{self._name}: directory {path!r} is not empty.")
        del self._objects[key]

    async def mkdir(self, path: str) -> None:
        for ancestor in [*_ancestors(path), path]:
            stored = self._objects.get(self._key(ancestor))
            if stored is not None and stored.kind is not EntryKind.DIR:
                raise AlreadyExistsError(f"{self._name}: {ancestor!r} exists and is a file.")
            self._objects.setdefault(self._key(ancestor), _Stored(EntryKind.DIR))
            self._names.setdefault(self._key(ancestor), ancestor)

    async def move(self, source: str, target: str) -> None:
        if not self._features.server_side_move:
            raise UsageError(f"{self._name}: this store was set up without server-side moves.")
        self.calls["move"] += 1
        self._get(source)
        if self._key(target) in self._objects and self._key(target) != self._key(source):
            raise AlreadyExistsError(f"{self._name}: {target!r} already exists.")
        if _parent(target):
            await self.mkdir(_parent(target))
        old_key = self._key(source)
        moving = [k for k in self._objects if k == old_key or k.startswith(old_key + "/")]
        for key in moving:
            new_key = self._key(target) + key[len(old_key) :]
            new_name = target + self._names.get(key, key)[len(source) :]
            self._objects[new_key] = self._objects.pop(key)
            self._names.pop(key, None)
            self._names[new_key] = new_name

    async def copy(self, source: str, target: str) -> None:
        """A file duplicated in the store (``CopiesWithin``); no bytes pass through a caller."""
        if not self._features.server_side_copy:
            raise UsageError(f"{self._name}: this store was set up without server-side copies.")
        stored = self._get(source)
        if stored.kind is not EntryKind.FILE:
            raise UsageError(f"{self._name}: {source!r} is not a file.")
        if self._key(target) in self._objects:
            raise AlreadyExistsError(f"{self._name}: {target!r} already exists.")
        self.calls["copy"] += 1
        self.put(target, stored.content, stored.mtime_ns)

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        self._get(path).mtime_ns = mtime_ns

    async def hash(self, path: str, kind: str) -> str:
        self.calls["hash"] += 1
        return hashlib.new(kind, self._get(path).content).hexdigest()
