"""One synced folder on disk: scan it into its index, serve blocks, apply a peer's entries
(the core's ``DeviceFolder`` port, driven by ``syncoxide/engine/device_sync``'s session).

The index is kept in ``<config>/devices/index/<name>.json`` and its ``.journal`` (index_file.py):
the entries a scan or a batch of pulls changed are appended and fsynced before they are
announced. A file from a peer is assembled in
``<folder>/.syncoxide/tmp`` (blocks we hold already are copied locally, the rest fetched),
every block checked against its hash, fsynced, then renamed over the target only if the target
is still what the index says. A kill at any point leaves either the old file or the new one,
and a rescan after restart finds whichever it is: equal content merges (no conflict), so
nothing is lost. Deleted and conflicting files go to ``.syncoxide/trash``. A scan that finds
the folder empty (or gone) where the index knew files is refused, not sent as deletions. The
disk work (walking, hashing, reading blocks, fsyncs) runs in worker threads: the event loop
must keep acknowledging the data channel meanwhile or the sender stalls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import uuid
from collections.abc import Iterable, KeysView, Sequence
from pathlib import Path
from stat import S_ISDIR
from typing import BinaryIO

from syncoxide.devices.index import (
    BLOCK_SIZE,
    STATE_FOLDER,
    FileEntry,
    loser_name,
    merged,
)
from syncoxide.engine.device_sync.folder_port import BlockAsk, FetchBlock, refuse_if_vanished
from syncoxide.errors import IntegrityError
from syncoxide.native.devices.disk_walk import (
    hash_blocks,
    in_state_folder,
    listing,
    outermost,
    self_and_ancestors,
    walk_files,
)
from syncoxide.native.devices.index_file import IndexFile

WRITE_BYTES = 4 * 1024 * 1024  # blocks written per trip to a worker thread


def _write_and_sync(handle: BinaryIO, blocks: list[bytes]) -> None:
    handle.writelines(blocks)
    handle.flush()
    os.fsync(handle.fileno())


class LocalFolder:
    def __init__(self, name: str, root: Path, journal: Path, me: str) -> None:
        self.name, self.root, self.journal, self.me = name, root, journal, me
        self._file = IndexFile(journal)
        self.index = self._file.load()
        self._unsaved: dict[str, None] = {}  # paths changed since the last save, in order
        # Where each block hash can be read locally, kept as entries are put (not rebuilt per
        # file: that made taking N files cost N^2). A stale place is harmless: every local
        # read is checked against the hash, and a miss fetches the block from the peer.
        self._held: dict[str, tuple[str, int]] = {}
        for entry in self.index.entries.values():
            self._note_blocks(entry)

    async def save(self) -> None:
        await asyncio.to_thread(self._save_now)

    def _save_now(self) -> None:
        """Journal the entries changed since the last save (durably: before any is announced)."""
        entries = self.index.entries
        changes = [entries.get(path, path) for path in self._unsaved]
        self._file.append(changes, self.index)
        self._unsaved.clear()

    async def scan(self) -> list[FileEntry]:
        """Bring the index up to the disk; return the entries that changed."""
        return await asyncio.to_thread(self._scan_now)

    def _scan_now(self) -> list[FileEntry]:
        seen: set[str] = set()
        found = self._scan_files(str(self.root), "", seen)
        refuse_if_vanished(self.name, self.index, len(seen))
        changed = [entry for entry in found if entry is not None]
        for path, entry in list(self.index.entries.items()):
            if path not in seen and not entry.deleted:
                changed.append(self._put(self._gone(entry)))
        if changed:
            self._save_now()
        return changed

    def _gone(self, entry: FileEntry) -> FileEntry:
        version = {**entry.version, self.me: entry.version.get(self.me, 0) + 1}
        return FileEntry(entry.path, 0, entry.mtime_ns, version, (), True, self.me)

    async def scan_paths(self, paths: Iterable[str], listings: Iterable[str]) -> list[FileEntry]:
        """Bring the index up to the disk at ``paths`` alone (each a file, a folder with its
        tree, or a path now gone), and at the entries of the folders in ``listings`` that the
        index and the disk disagree about ("" is the root); return the entries that changed.
        What a file watcher saw: the rest of the folder is not even looked at."""
        return await asyncio.to_thread(self._scan_paths_now, set(paths), set(listings))

    def _scan_paths_now(self, paths: set[str], listings: set[str]) -> list[FileEntry]:
        paths |= self._listing_differences(listings)
        if "" in paths or not self.root.is_dir():
            return self._scan_now()  # the root itself: a full scan, refused if it vanished
        seen: set[str] = set()
        under: set[str] = set()  # what was indexed at or under these and not seen is gone
        changed = []
        for relative in outermost(p for p in paths if not in_state_folder(p)):
            changed += self._scan_path(relative, seen, under)
        gone = [entry for entry in self._indexed_under(under) if entry.path not in seen]
        if gone and len(gone) >= sum(not e.deleted for e in self.index.entries.values()):
            return [e for e in changed if e is not None] + self._scan_now()  # may refuse it
        changed += [self._put(self._gone(entry)) for entry in gone]
        found = [entry for entry in changed if entry is not None]
        if found:
            self._save_now()
        return found

    def _scan_path(self, relative: str, seen: set[str], under: set[str]) -> list[FileEntry | None]:
        path = os.path.join(self.root, relative)  # noqa: PTH118 - strings, as _scan_files
        try:
            stat = os.stat(path)  # noqa: PTH116
        except (FileNotFoundError, NotADirectoryError):
            stat = None
        known = self.index.entries.get(relative)
        if stat is None or S_ISDIR(stat.st_mode) or known is None or known.deleted:
            under.add(relative)  # not a file the index knows: look for entries at or under it
        if stat is None:
            return []
        if not S_ISDIR(stat.st_mode):
            seen.add(relative)
            return [self._scan_one(relative, path, stat)]
        if os.path.islink(path):  # noqa: PTH114 - a link to a folder is not followed
            return []
        return self._scan_files(path, relative + "/", seen)

    def _indexed_under(self, paths: set[str]) -> list[FileEntry]:
        """The live entries at or under ``paths``: a file that became a folder, a folder
        deleted or renamed away. One pass over the index, each entry's folders looked up."""
        if not paths:
            return []
        return [
            entry
            for path, entry in self.index.entries.items()
            if not entry.deleted and not paths.isdisjoint(self_and_ancestors(path))
        ]

    def _listing_differences(self, listings: set[str]) -> set[str]:
        """The entries of these folders that exist on disk but not in the index, or the other
        way round: a watcher's event may have been missed (files made in a new folder before
        its watch existed). Listing costs no stat per file; only the differences are scanned."""
        if not listings:
            return set()
        indexed: dict[str, set[str]] = {folder: set() for folder in listings}
        for path, entry in self.index.entries.items():
            if not entry.deleted:
                for folder, names in indexed.items():
                    if not folder or path.startswith(folder + "/"):
                        names.add(path[len(folder) + bool(folder) :].partition("/")[0])
        differences = set()
        for folder, names in indexed.items():
            prefix = folder + "/" if folder else ""
            on_disk = {item.name for item in listing(os.path.join(self.root, folder))}  # noqa: PTH118
            if not folder:
                on_disk.discard(STATE_FOLDER)
            differences |= {prefix + name for name in on_disk ^ names}
        return differences

    def _scan_files(self, directory: str, prefix: str, seen: set[str]) -> list[FileEntry | None]:
        """Every file under ``directory`` (relative path ``prefix``), as disk_walk walks it."""
        found = []
        for relative, path in walk_files(directory, prefix):
            seen.add(relative)
            found.append(self._scan_one(relative, path))
        return found

    def _scan_one(
        self, relative: str, path: str | Path, stat: os.stat_result | None = None
    ) -> FileEntry | None:
        try:
            stat = stat or os.stat(path)  # noqa: PTH116 - no Path object per file (disk_walk)
        except FileNotFoundError:
            return None
        known = self.index.entries.get(relative)
        if (
            known
            and not known.deleted
            and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
        ):
            return None
        size, blocks = hash_blocks(path)
        if known and not known.deleted and known.blocks == blocks:
            return self._put(
                FileEntry(
                    relative,
                    size,
                    stat.st_mtime_ns,
                    known.version,
                    blocks,
                    False,
                    known.modified_by,
                )
            )
        version = dict(known.version) if known else {}
        version[self.me] = version.get(self.me, 0) + 1
        return self._put(
            FileEntry(relative, size, stat.st_mtime_ns, version, blocks, False, self.me)
        )

    async def refresh(self, relative: str) -> FileEntry | None:
        """Bring one path's entry up to the disk (before deciding about a peer's entry for it);
        the new entry if the disk had changed. The caller must announce it: the next scan
        will find nothing new."""
        return await asyncio.to_thread(self._refresh_now, relative)

    def _refresh_now(self, relative: str) -> FileEntry | None:
        path = self.root / relative
        known = self.index.entries.get(relative)
        found = None
        if path.is_file():
            found = self._scan_one(relative, path)
        elif known is not None and not known.deleted:
            version = {**known.version, self.me: known.version.get(self.me, 0) + 1}
            found = self._put(FileEntry(relative, 0, known.mtime_ns, version, (), True, self.me))
        if found is not None:
            self._save_now()  # a new version, announced next: journalled first, as a scan's
        return found

    def held_digests(self) -> KeysView[str]:
        """The block digests this folder holds (a live view: read it before the next write)."""
        return self._held.keys()

    def _put(self, entry: FileEntry) -> FileEntry:
        self.index.entries[entry.path] = entry
        self._unsaved[entry.path] = None
        self._note_blocks(entry)
        return entry

    async def serve_blocks(self, asks: Sequence[BlockAsk]) -> list[bytes | None]:
        return await asyncio.to_thread(lambda: [self.serve_block(*ask) for ask in asks])

    def serve_block(self, path: str, number: int, digest: str) -> bytes | None:
        """The block with this hash: where the peer saw it, else anywhere in the folder (the
        file may have been renamed aside meanwhile); None when no file holds it any more."""
        data = self.read_block(path, number, digest)
        if data is None:
            data = self._local_block(self._blocks_held().get(digest), digest)
        return data

    def read_block(self, path: str, number: int, digest: str) -> bytes | None:
        entry = self.index.entries.get(path)
        if entry is None or entry.deleted or number >= len(entry.blocks):
            return None
        with contextlib.suppress(OSError), Path(self.root / path).open("rb") as handle:
            handle.seek(number * BLOCK_SIZE)
            data = handle.read(BLOCK_SIZE)
            if hashlib.sha256(data).hexdigest() == digest:
                return data
        return None

    def _still_as_indexed(self, path: str) -> bool:
        entry = self.index.entries.get(path)
        target = self.root / path
        if entry is None or entry.deleted:
            return not target.exists()
        with contextlib.suppress(FileNotFoundError):
            stat = target.stat()
            return (stat.st_size, stat.st_mtime_ns) == (entry.size, entry.mtime_ns)
        return False

    async def take(self, theirs: FileEntry, fetch: FetchBlock, *, version: dict[str, int]) -> bool:
        """Put ``theirs`` in place (fetching what we lack); False if the file changed under us.
        The caller saves the index (``save``) once per batch."""
        if not self._still_as_indexed(theirs.path):
            return False
        if theirs.deleted:
            self._to_trash(theirs.path)
        else:
            temporary = await self._assemble(theirs, fetch)
            if not self._still_as_indexed(theirs.path):
                temporary.unlink()
                return False
            target = self.root / theirs.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.utime(temporary, ns=(theirs.mtime_ns, theirs.mtime_ns))
            Path(temporary).replace(target)
        self._put(
            FileEntry(
                theirs.path,
                theirs.size,
                theirs.mtime_ns,
                version,
                theirs.blocks,
                theirs.deleted,
                theirs.modified_by,
            )
        )
        return True

    async def keep_aside(self, loser: FileEntry, fetch: FetchBlock, *, ours: bool) -> None:
        """Keep the losing version of a conflict under its conflict name (the same everywhere)."""
        aside = loser_name(loser)
        if ours:
            target = self.root / aside
            Path(self.root / loser.path).replace(target)
            stat = target.stat()
            self._put(
                FileEntry(
                    aside,
                    loser.size,
                    stat.st_mtime_ns,
                    loser.version,
                    loser.blocks,
                    False,
                    loser.modified_by,
                )
            )
            del self.index.entries[loser.path]
            self._unsaved[loser.path] = None
        else:
            moved = FileEntry(
                aside, loser.size, loser.mtime_ns, {}, loser.blocks, False, loser.modified_by
            )
            self.index.entries.pop(aside, None)
            self._unsaved[aside] = None
            await self.take(moved, fetch, version=loser.version)

    def merge_version(self, path: str, theirs: FileEntry) -> None:
        ours = self.index.entries[path]
        self._put(
            FileEntry(
                path,
                ours.size,
                ours.mtime_ns,
                merged(ours.version, theirs.version),
                ours.blocks,
                ours.deleted,
                ours.modified_by,
            )
        )

    async def _assemble(self, theirs: FileEntry, fetch: FetchBlock) -> Path:
        have = self._blocks_held()
        scratch = self.root / STATE_FOLDER / "tmp"
        scratch.mkdir(parents=True, exist_ok=True)
        temporary = scratch / uuid.uuid4().hex
        try:
            with Path(temporary).open("wb") as handle:
                pending: list[bytes] = []
                for number, digest in enumerate(theirs.blocks):
                    data = self._local_block(have.get(digest), digest)
                    if data is None:
                        data = await fetch(number, digest)
                    if hashlib.sha256(data).hexdigest() != digest:
                        raise IntegrityError(
                            f"A peer sent a block of {theirs.path!r} that does not match its hash."
                        )
                    pending.append(data)
                    if len(pending) * BLOCK_SIZE >= WRITE_BYTES:
                        await asyncio.to_thread(handle.writelines, pending)
                        pending = []
                # Off the event loop, in one trip for a small file: an fsync takes
                # milliseconds, and the loop must keep acknowledging the data channel meanwhile
                # or the sender stalls.
                await asyncio.to_thread(_write_and_sync, handle, pending)
        except BaseException:
            temporary.unlink(missing_ok=True)  # a half-made file is never left behind
            raise
        return temporary

    def forget_scratch(self) -> None:
        """Drop what a killed run left half-assembled (it is fetched again as needed)."""
        scratch = self.root / STATE_FOLDER / "tmp"
        for leftover in scratch.glob("*") if scratch.is_dir() else []:
            leftover.unlink(missing_ok=True)

    def _blocks_held(self) -> dict[str, tuple[str, int]]:
        return self._held

    def _note_blocks(self, entry: FileEntry) -> None:
        if not entry.deleted:
            for number, digest in enumerate(entry.blocks):
                self._held[digest] = (entry.path, number)

    def _local_block(self, where: tuple[str, int] | None, digest: str) -> bytes | None:
        return None if where is None else self.read_block(where[0], where[1], digest)

    def _to_trash(self, path: str) -> None:
        source = self.root / path
        if source.exists():
            trash = self.root / STATE_FOLDER / "trash" / f"{path}.{uuid.uuid4().hex[:8]}"
            trash.parent.mkdir(parents=True, exist_ok=True)
            Path(source).replace(trash)
