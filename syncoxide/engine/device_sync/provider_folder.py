"""A synced device folder kept on any Provider: scan it into its index, serve blocks, apply a
peer's entries (``folder_port.DeviceFolder``). The CLI keeps its folders on disk
(``native/devices/local_folder.py``); this is the same behaviour for storage reached through
the Provider contract, such as the browser's private folders (OPFS), where no path or fsync
exists.

Safety comes from the contract: ``write`` is atomic (a partial object renamed into place once
every byte arrived), so a file from a peer is either wholly there or not at all; each block is
checked against its hash before it is written. A file is replaced only if it is still what the
index says (else the local edit is scanned and announced first). Deleted files and the losing
side of a conflict are moved under ``.syncoxide/trash`` or the conflict name, never dropped.
A scan that finds no files where the index knew some is refused (``EmptySideError``, as the
sync engine's empty-side stop): a vanished folder must not empty the other devices' copies.
Given a ``mark``, the folder is also checked to be the one its index describes when it is
loaded, before each scan and before each batch of a peer's entries (``folder_port.mark_to_write``):
a folder deleted and made again at the same place with a few files in it is refused rather than
taken as the rest deleted, and gets none of a peer's files.

The index and its books are the CLI's folder's (``folder_entries.py``), kept as the CLI keeps
them, a snapshot and an append-only journal of the entries changed since (``index_keeper.py``
over an ``IndexStorage``): each scan and each batch of applied entries appends only what
changed, before any of it is announced.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Iterable, KeysView, Sequence
from dataclasses import replace

from syncoxide.devices.index import (
    BLOCK_SIZE,
    STATE_FOLDER,
    FileEntry,
    FolderIndex,
    loser_name,
)
from syncoxide.devices.tree_paths import at_or_under, in_state_folder, outermost
from syncoxide.engine.device_sync.folder_entries import FolderEntries
from syncoxide.engine.device_sync.folder_port import (
    MARK_FILE,
    MARK_MAX_BYTES,
    BlockAsk,
    FetchBlock,
    mark_to_write,
    refuse_if_vanished,
)
from syncoxide.engine.device_sync.index_keeper import IndexKeeper, IndexStorage
from syncoxide.errors import IntegrityError, JournalError, NotFoundError
from syncoxide.providers.contract import Entry, EntryKind, Provider, chunks_of


class ProviderFolder:
    def __init__(
        self,
        name: str,
        provider: Provider,
        index_storage: IndexStorage,
        me: str,
        *,
        fresh_name: Callable[[], str],
        mark: str | None = None,
    ) -> None:
        self.name, self.provider, self.me = name, provider, me
        self.mark = mark  # the id this folder's index was started for (None: not checked)
        self.index_storage = index_storage
        self._keeper = IndexKeeper(index_storage)
        self._fresh_name = fresh_name  # a random suffix for trash names (a port: testable)
        self._entries = FolderEntries(me)

    @property
    def index(self) -> FolderIndex:
        return self._entries.index

    async def load(self) -> None:
        try:
            index = await self._keeper.load()
        except JournalError as error:
            raise JournalError(
                f"The index of the folder {self.name} is damaged: {error.message}",
                hint=error.hint,
            ) from None
        self._entries.loaded(index)
        await self.check_mark()

    async def check_mark(self) -> None:
        """Refuse a folder that is not the one indexed; mark it when the index is fresh. One
        small read: before each scan and each batch of a peer's entries (the puller), not
        per file, where a browser's read costs a round trip through JavaScript."""
        if self.mark is None:
            return
        try:
            found: str | None = b"".join(
                [c async for c in self.provider.open_read(MARK_FILE, 0, MARK_MAX_BYTES)]
            ).decode(errors="replace")
        except NotFoundError:
            found = None
        if mark_to_write(self.name, self.index, found, self.mark):
            await self.provider.write(MARK_FILE, chunks_of(self.mark.encode()))

    async def save(self) -> None:
        """Journal the entries changed since the last save (before any is announced)."""
        changes = self._entries.unsaved()
        if not changes:
            return
        await self._keeper.append(changes, self.index)
        self._entries.saved()

    def held_digests(self) -> KeysView[str]:
        """The block digests this folder holds (a live view: read it before the next write)."""
        return self._entries.held_digests()

    def kept_here(self) -> list[str]:
        """Files found whose names peers refuse: kept here, never announced."""
        return sorted(self._entries.kept_here)

    async def scan(self) -> list[FileEntry]:
        """Bring the index up to the storage; return the entries that changed."""
        await self.check_mark()
        seen: dict[str, Entry] = {}
        async for page in self.provider.list_tree(prune=lambda path: path == STATE_FOLDER):
            seen.update({e.path: e for e in page if e.kind is EntryKind.FILE})
        refuse_if_vanished(self.name, self.index, len(seen))
        changed = [e for e in [await self._scan_one(found) for found in seen.values()] if e]
        for path, entry in list(self.index.entries.items()):
            if path not in seen and not entry.deleted:
                changed.append(self._entries.put(self._entries.gone(entry)))
        if changed:
            await self.save()
        return changed

    async def scan_paths(self, paths: Iterable[str]) -> list[FileEntry]:
        """Only ``paths`` (each a file, a folder with its tree, or a path now gone), as a
        change event names them; the entries that changed. A file is one stat, where a full
        scan stats every file (a browser's getFile each); a folder is listed with everything
        outside it pruned. The root, or paths that would leave no file, scan it all (which
        refuses a folder that vanished)."""
        wanted = outermost(p for p in paths if not in_state_folder(p))
        if not wanted:
            return []
        if "" in wanted:
            return await self.scan()
        await self.check_mark()
        seen: dict[str, Entry] = {}
        folders = []
        for path in wanted:
            found = await self._stat_any(path)
            if found is not None and found.kind is EntryKind.DIR:
                folders.append(path)
            elif found is not None and found.kind is EntryKind.FILE:
                seen[path] = found
        if folders:
            seen.update(await self._files_under(folders))
        gone = [
            entry
            for path, entry in self.index.entries.items()
            if not entry.deleted and path not in seen and at_or_under(path, wanted)
        ]
        if gone and len(gone) >= sum(not e.deleted for e in self.index.entries.values()):
            return await self.scan()  # everything would go: refused there if it vanished
        changed = [e for e in [await self._scan_one(found) for found in seen.values()] if e]
        changed += [self._entries.put(self._entries.gone(entry)) for entry in gone]
        if changed:
            await self.save()
        return changed

    async def _stat_any(self, path: str) -> Entry | None:
        try:
            return await self.provider.stat(path)
        except NotFoundError:
            return None

    async def _files_under(self, folders: list[str]) -> dict[str, Entry]:
        def outside(path: str) -> bool:  # pruned: neither in nor on the way to ``folders``
            return path == STATE_FOLDER or not any(
                at_or_under(path, folders) or at_or_under(folder, [path]) for folder in folders
            )

        found: dict[str, Entry] = {}
        async for page in self.provider.list_tree(prune=outside):
            for entry in page:
                if entry.kind is EntryKind.FILE and at_or_under(entry.path, folders):
                    found[entry.path] = entry
        return found

    async def _scan_one(self, found: Entry) -> FileEntry | None:
        if self._entries.cannot_travel(found.path):
            return None
        if self._entries.unchanged(found.path, found.size, found.mtime_ns):
            return None
        size, blocks = await self._hash_blocks(found.path)
        return self._entries.hashed(found.path, size, found.mtime_ns, blocks)

    async def refresh(self, path: str) -> FileEntry | None:
        """Bring one path's entry up to the storage before deciding about a peer's entry for
        it; the new entry if it had changed (the caller announces it)."""
        found = await self._stat(path)
        known = self.index.entries.get(path)
        changed = None
        if found is not None:
            changed = await self._scan_one(found)
        elif known is not None and not known.deleted:
            changed = self._entries.put(self._entries.gone(known))
        if changed is not None:
            await self.save()  # a new version, announced next: journalled first, as a scan's
        return changed

    async def _stat(self, path: str) -> Entry | None:
        try:
            found = await self.provider.stat(path)
        except NotFoundError:
            return None
        return found if found.kind is EntryKind.FILE else None

    async def _hash_blocks(self, path: str) -> tuple[int, tuple[str, ...]]:
        blocks: list[str] = []
        size = 0
        async for block in _blocks_of(self.provider.open_read(path)):
            blocks.append(hashlib.sha256(block).hexdigest())
            size += len(block)
        return size, tuple(blocks)

    async def serve_blocks(self, asks: Sequence[BlockAsk]) -> list[bytes | None]:
        return [await self.serve_block(path, number, digest) for path, number, digest in asks]

    async def serve_block(self, path: str, number: int, digest: str) -> bytes | None:
        """The block with this hash: where the peer saw it, else anywhere in the folder; None
        when no file holds it any more."""
        data = await self.read_block(path, number, digest)
        where = self._entries.held.get(digest)
        if data is None and where is not None:
            data = await self.read_block(where[0], where[1], digest)
        return data

    async def read_block(self, path: str, number: int, digest: str) -> bytes | None:
        entry = self.index.entries.get(path)
        if entry is None or entry.deleted or number >= len(entry.blocks):
            return None
        try:
            data = b"".join([c async for c in self.provider.open_read(path, number * BLOCK_SIZE,
                                                                     BLOCK_SIZE)])  # fmt: skip
        except NotFoundError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    async def _still_as_indexed(self, path: str) -> bool:
        entry, found = self.index.entries.get(path), await self._stat(path)
        if entry is None or entry.deleted:
            return found is None
        return found is not None and (found.size, found.mtime_ns) == (entry.size, entry.mtime_ns)

    async def take(self, theirs: FileEntry, fetch: FetchBlock, *, version: dict[str, int]) -> bool:
        """Put ``theirs`` in place (fetching what we lack); False if the file changed under us."""
        if not await self._still_as_indexed(theirs.path):
            return False
        if theirs.deleted:
            await self._to_trash(theirs.path)
        else:
            chunks = self._verified_blocks(theirs, fetch)
            await self.provider.write(theirs.path, chunks, mtime_ns=theirs.mtime_ns)
        self._entries.put(replace(theirs, version=version))
        return True

    async def _verified_blocks(self, theirs: FileEntry, fetch: FetchBlock) -> AsyncIterator[bytes]:
        """Each block from a local copy when one holds it, else from the peer; every one
        checked against its hash (a mismatch aborts the write: nothing is committed)."""
        for number, digest in enumerate(theirs.blocks):
            where = self._entries.held.get(digest)
            data = None if where is None else await self.read_block(where[0], where[1], digest)
            if data is None:
                data = await fetch(number, digest)
            if hashlib.sha256(data).hexdigest() != digest:
                raise IntegrityError(
                    f"A peer sent a block of {theirs.path!r} that does not match its hash."
                )
            yield data

    async def keep_aside(self, loser: FileEntry, fetch: FetchBlock, *, ours: bool) -> None:
        """Keep the losing version of a conflict under its conflict name (the same everywhere)."""
        aside = loser_name(loser)
        if ours:
            await self.provider.move(loser.path, aside)
            moved = await self.provider.stat(aside)
            self._entries.put(FileEntry(aside, loser.size, moved.mtime_ns, loser.version,
                                        loser.blocks, False, loser.modified_by))  # fmt: skip
            self._entries.drop(loser.path)
        else:
            moved_entry = FileEntry(aside, loser.size, loser.mtime_ns, {}, loser.blocks, False,
                                    loser.modified_by)  # fmt: skip
            self._entries.drop(aside)
            await self.take(moved_entry, fetch, version=loser.version)

    def merge_version(self, path: str, theirs: FileEntry) -> None:
        self._entries.merge_version(path, theirs)

    async def _to_trash(self, path: str) -> None:
        if await self._stat(path) is not None:
            await self.provider.move(path, f"{STATE_FOLDER}/trash/{path}.{self._fresh_name()}")


async def _blocks_of(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Provider chunks (any size) as BLOCK_SIZE blocks, the last one shorter."""
    pending = bytearray()
    async for chunk in chunks:
        pending += chunk
        while len(pending) >= BLOCK_SIZE:
            yield bytes(pending[:BLOCK_SIZE])
            del pending[:BLOCK_SIZE]
    if pending:
        yield bytes(pending)
