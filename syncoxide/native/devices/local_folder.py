"""One synced folder on disk: scan it into its index, serve blocks, apply a peer's entries
(the core's ``DeviceFolder`` port, driven by ``syncoxide/engine/device_sync``'s session).

The index is kept in ``<config>/devices/index/<name>.json`` and its ``.journal`` (index_file.py):
the entries a scan or a batch of pulls changed are appended and fsynced before they are
announced (folder_state.py). Scans are folder_scan.py's; block reads and the assembly of a
file from a peer are folder_blocks.py's. Here a file from a peer is renamed over the target
only if the target is still what the index says, and what the rename left is noted, so the
watcher's event for it is known as ours and not rescanned (own_writes.py). A kill at any point
leaves either the old file or the new one, and a rescan after restart finds whichever it is:
equal content merges (no conflict), so nothing is lost. Deleted and conflicting files go to
``.syncoxide/trash``. The disk work (walking, hashing, reading blocks, fsyncs) runs in worker
threads: the event loop must keep acknowledging the data channel meanwhile or the sender
stalls. Given a ``mark`` (the folder's id), the folder must hold it (folder_mark.py): a folder
deleted and made again in place is refused, never scanned against the old index.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterable, KeysView, Sequence
from dataclasses import replace
from pathlib import Path

from syncoxide.devices.index import STATE_FOLDER, FileEntry, FolderIndex, loser_name
from syncoxide.engine.device_sync.folder_port import BlockAsk, FetchBlock
from syncoxide.native.devices.disk_walk import settled_stamp
from syncoxide.native.devices.folder_blocks import FolderBlocks
from syncoxide.native.devices.folder_scan import FolderScan
from syncoxide.native.devices.folder_state import FolderState


class LocalFolder:
    def __init__(
        self, name: str, root: Path, journal: Path, me: str, *, mark: str | None = None
    ) -> None:
        self.name, self.root, self.journal, self.me = name, root, journal, me
        self._state = FolderState(name, root, journal, me, mark=mark)
        self._scans = FolderScan(self._state)
        self._blocks = FolderBlocks(self._state)

    @property
    def index(self) -> FolderIndex:
        return self._state.index

    def refuse_if_replaced(self) -> None:
        """Raise ``FolderReplacedError`` if the folder is not the one its index describes
        (``mark`` given: folder_mark.py); call it once opened, before the folder is used.
        Every scan and every peer's entry checks it again."""
        self._state.refuse_if_replaced()

    async def check_mark(self) -> None:
        """``refuse_if_replaced`` for the session, once per batch of a peer's entries (each
        entry checks again: on a disk the read is cheap)."""
        await asyncio.to_thread(self._state.refuse_if_replaced)

    async def back_and_settled(self, moment: float) -> bool:
        """Whether the folder, refused or gone, is there again with its mark and looked the
        same ``moment`` seconds apart: a folder put back by a copy, file by file, holds its
        mark before the rest, and a scan then would take the files not copied yet as deleted.
        (In threads: a stat on a drive going away may hang.)"""
        before = await asyncio.to_thread(self._state.look_if_back)
        if before is None:
            return False
        await asyncio.sleep(moment)
        return await asyncio.to_thread(self._state.look_if_back) == before

    def held_digests(self) -> KeysView[str]:
        """The block digests this folder holds (a live view: read it before the next write)."""
        return self._state.held_digests()

    async def save(self) -> None:
        await asyncio.to_thread(self._state.save_now)

    async def scan(self) -> list[FileEntry]:
        """Bring the index up to the disk; return the entries that changed."""
        return await asyncio.to_thread(self._scans.scan)

    async def scan_paths(self, paths: Iterable[str], listings: Iterable[str]) -> list[FileEntry]:
        """Bring the index up to the disk at ``paths`` alone (each a file, a folder with its
        tree, or a path now gone), and at the entries of the folders in ``listings`` that the
        index and the disk disagree about ("" is the root); return the entries that changed.
        What a file watcher saw: the rest of the folder is not even looked at."""
        return await asyncio.to_thread(self._scans.scan_paths, set(paths), set(listings))

    async def refresh(self, relative: str) -> FileEntry | None:
        """Bring one path's entry up to the disk (before deciding about a peer's entry for it);
        the new entry if the disk had changed. The caller must announce it: the next scan
        will find nothing new."""
        return await asyncio.to_thread(self._scans.refresh, relative)

    def kept_here(self) -> list[str]:
        """Files found whose names peers refuse: kept here, never announced."""
        return sorted(self._state.kept_here)

    def untold_kept_here(self) -> list[str]:
        """Files found whose names peers refuse: kept here, not announced (each told once)."""
        return self._state.untold_kept_here()

    async def serve_blocks(self, asks: Sequence[BlockAsk]) -> list[bytes | None]:
        return await asyncio.to_thread(lambda: [self._blocks.serve_block(*ask) for ask in asks])

    def serve_block(self, path: str, number: int, digest: str) -> bytes | None:
        """One block for a peer (folder_blocks.py); None when no file holds it any more."""
        return self._blocks.serve_block(path, number, digest)

    def forget_scratch(self) -> None:
        """Drop what a killed run left half-assembled (it is fetched again as needed)."""
        self._blocks.forget_scratch()

    async def take(self, theirs: FileEntry, fetch: FetchBlock, *, version: dict[str, int]) -> bool:
        """Put ``theirs`` in place (fetching what we lack); False if the file changed under us.
        The caller saves the index (``save``) once per batch."""
        if not self._still_as_indexed(theirs.path):
            return False
        stamp = None
        if theirs.deleted:
            self._to_trash(theirs.path)
        else:
            temporary = await self._blocks.assemble(theirs, fetch)
            if not self._still_as_indexed(theirs.path):
                temporary.unlink()
                return False
            target = self.root / theirs.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.utime(temporary, ns=(theirs.mtime_ns, theirs.mtime_ns))
            placed = self._state.own_writes.rename(temporary, target, theirs.path)
            stamp = None if placed is None else settled_stamp(placed.ctime_ns, placed.inode)
        self._state.put(replace(theirs, version=version, stamp=stamp))
        return True

    async def keep_aside(self, loser: FileEntry, fetch: FetchBlock, *, ours: bool) -> None:
        """Keep the losing version of a conflict under its conflict name (the same everywhere)."""
        aside = loser_name(loser)
        if ours:
            target = self.root / aside
            placed = self._state.own_writes.rename(self.root / loser.path, target, aside)
            self._state.own_writes.removed(loser.path)
            stat = target.stat()
            stamp = None if placed is None else settled_stamp(placed.ctime_ns, placed.inode)
            self._state.put(
                FileEntry(
                    aside,
                    loser.size,
                    stat.st_mtime_ns,
                    loser.version,
                    loser.blocks,
                    False,
                    loser.modified_by,
                    stamp,
                )
            )
            self._state.drop(loser.path)
        else:
            moved = FileEntry(
                aside, loser.size, loser.mtime_ns, {}, loser.blocks, False, loser.modified_by
            )
            self._state.drop(aside)
            await self.take(moved, fetch, version=loser.version)

    def merge_version(self, path: str, theirs: FileEntry) -> None:
        self._state.merge_version(path, theirs)

    def _still_as_indexed(self, path: str) -> bool:
        entry = self.index.entries.get(path)
        target = self.root / path
        if entry is None or entry.deleted:
            return not target.exists()
        with contextlib.suppress(FileNotFoundError):
            stat = target.stat()
            if entry.stamp is not None and entry.stamp != (stat.st_ctime_ns, stat.st_ino):
                return False  # rewritten since it was indexed, maybe keeping size and mtime
            return (stat.st_size, stat.st_mtime_ns) == (entry.size, entry.mtime_ns)
        return False

    def _to_trash(self, path: str) -> None:
        source = self.root / path
        if source.exists():
            trash = self.root / STATE_FOLDER / "trash" / f"{path}.{uuid.uuid4().hex[:8]}"
            trash.parent.mkdir(parents=True, exist_ok=True)
            self._state.own_writes.rename(source, trash, None)
            self._state.own_writes.removed(path)
