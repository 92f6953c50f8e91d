"""A user's own files as a sync provider inside the server: no HTTP, the service directly.

Server-side sync rules use it for connections of kind ``home`` (a rule from Drive into your
own storage is the natural use). It keeps the contract the way the HTTP provider does: bytes
are hashed as they pass, the source's digest is checked after its last chunk and before the
file is named, and listing carries the SHA-1 the service computed on the way in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from syncoxide.errors import NotFoundError
from syncoxide.native.providers.digests import StreamDigests, verify_expected
from syncoxide.native.providers.server_storage.provider import without_pruned
from syncoxide.providers.contract import Entry, EntryKind, ExpectedDigest, Features, PrunePredicate
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import DIR, StoredEntry

PAGE = 5000
FEATURES = Features(
    server_side_copy=True,
    hash_kinds=frozenset({"sha1", "md5"}),
    listing_hash_kinds=frozenset({"sha1"}),
    lists_whole_files=True,  # the service names a file only once all of it arrived
)


class OwnFilesProvider:
    def __init__(self, files: FileService, user_id: int, root: str = "") -> None:
        self._files = files
        self._user = user_id
        self._root = root.strip("/")

    def _path(self, path: str) -> str:
        return f"{self._root}/{path}" if self._root and path else self._root or path

    def _entry(self, found: StoredEntry) -> Entry:
        path = found.path[len(self._root) + 1 :] if self._root else found.path
        if found.kind == DIR:
            return Entry(path, EntryKind.DIR)
        hashes = {"sha1": found.sha1, "sha256": found.sha256}
        return Entry(path, EntryKind.FILE, found.size, found.mtime_ns, hashes)

    @property
    def features(self) -> Features:
        return FEATURES

    @property
    def root_id(self) -> str:
        return f"home:{self._user}/{self._root}"

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        try:
            self._files.entry(self._user, self._root)
        except NotFoundError:
            return  # the root folder is not there yet: an empty tree
        pruned: set[str] = set()
        after = ""
        while True:
            found = self._files.listing(
                self._user, self._root, after=after, limit=PAGE, recursive=True
            )
            yield without_pruned([self._entry(e) for e in found], prune, pruned)
            if len(found) < PAGE:
                return
            after = found[-1].path

    async def stat(self, path: str) -> Entry:
        return self._entry(self._files.entry(self._user, self._path(path)))

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        file = self._files.file(self._user, self._path(path))
        start = min(offset, file.size)
        count = file.size - start if length is None else min(length, file.size - start)
        if count > 0:
            async for block in self._files.read(file, start, count):
                yield block

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        kind = hash_kind or "sha1"
        digests = StreamDigests(kind)

        async def checked() -> AsyncIterator[bytes]:
            async for block in chunks:
                await digests.update(block)
                yield block
            # Raised inside the body: the service drops the bytes and names nothing.
            verify_expected(expected_digest, digests, kind, path)

        # No time: the service stamps the moment it commits the file.
        stored = await self._files.put(
            self._user, self._path(path), checked(), mtime_ns=mtime_ns, expected_sha1=None
        )
        entry = self._entry(stored)
        return Entry(entry.path, entry.kind, entry.size, entry.mtime_ns, digests.hashes(kind))

    async def delete(self, path: str) -> None:
        await self._files.delete(self._user, self._path(path), recursive=False)

    async def mkdir(self, path: str) -> None:
        if self._path(path):
            self._files.mkdir(self._user, self._path(path))

    async def move(self, source: str, target: str) -> None:
        self._files.move(self._user, self._path(source), self._path(target))

    async def copy(self, source: str, target: str) -> None:
        await self._files.copy(self._user, self._path(source), self._path(target))

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        self._files.set_mtime(self._user, self._path(path), mtime_ns)

    async def hash(self, path: str, kind: str) -> str:
        found = self._files.file(self._user, self._path(path))
        if kind == "sha1":
            return found.sha1
        digests = StreamDigests(kind)
        async for block in self._files.read(found, 0, found.size):
            await digests.update(block)
        return digests.hexdigest(kind)
