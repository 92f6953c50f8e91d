"""Applying a peer's index entries: batches, block requests, and the pipeline between them.

Entries queue as index pages arrive and are taken in batches of up to ``BATCH``. For a batch,
every block it lacks is asked for at once, in ``want`` messages of up to ``WANT_BLOCKS`` (one
round trip per batch, not per file: many small files would otherwise pay one each), up to
``PREFETCH_BYTES`` of blocks; a larger file asks for the rest a window of ``WINDOW_BLOCKS`` at a
time as it is written. While one batch is written, the next one's blocks are already asked for,
so the channel stays busy during the writes and fsyncs (the pipeline holds at most two batches'
prefetch in memory).

Each entry is decided against the folder as it is now (``syncoxide.devices.index.decide``):
taken, versions merged, or a conflict that keeps both versions. A block the peer no longer
holds, or one that does not arrive in time, leaves the entry for the peer's next index; a bad
block, a failed local write or a name the storage refuses (``NameRefusedError``: a browser's
folder cannot hold a backslash, say) is reported and skipped, with nothing of that file changed.
Before a batch is applied, each folder it touches is checked to be the one its index describes
(``check_mark``, once per batch: one small read, where a browser's costs a trip through
JavaScript); a folder made again or replaced ends the session before anything is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from syncoxide.devices.index import BLOCK_SIZE, Decision, FileEntry, decide, loser_name, merged
from syncoxide.devices.wire import Arrived
from syncoxide.engine.device_sync.folder_port import BlockAsk, DeviceFolder, FetchBlock
from syncoxide.errors import IntegrityError, NameRefusedError

BLOCK_TIMEOUT = 30.0
WANT_BLOCKS = 256  # blocks named in one ``want`` message
BATCH = 256  # index entries whose missing blocks are asked for together
PIPELINE_BYTES = 32 * 1024 * 1024  # a batch taken while another is written stops at this size
PREFETCH_BYTES = 16 * 1024 * 1024  # blocks asked for ahead per batch (two batches in flight)
WINDOW_BLOCKS = 64  # past that, blocks of a large file asked for this many at a time
# Batches applied between index saves while more entries keep coming: a save that writes the
# whole index (the browser's, 160 ms for 5,000 entries on the loaded test machine) after each of
# the 40 batches of 10,000 small files cost more than the pull itself. (The CLI's folder appends
# only the changed entries to a journal, but still pays an fsync per save.)
SAVE_EVERY = 8

Key = tuple[str, str]  # (folder, digest)
Work = tuple[str, FileEntry]  # (folder, the peer's entry)
Changed = Callable[[str, list[FileEntry]], Awaitable[None]]
Trouble = Callable[[str], None]
SendWant = Callable[[str, list[list[object]]], Awaitable[None]]


class BlockUnavailable(Exception):
    """The peer no longer holds a block it announced: its next index says what it is now."""


@dataclass
class SyncedFolder:
    folder: DeviceFolder
    peers: tuple[str, ...]
    mode: str = "send-receive"
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def sends(self) -> bool:
        return self.mode != "receive-only"

    @property
    def receives(self) -> bool:
        return self.mode != "send-only"


class BlockRequests:
    """Blocks asked for by request id, and the futures their answers (``K`` frames) resolve."""

    def __init__(self, send_want: SendWant) -> None:
        self._send_want = send_want
        self._waiting: dict[int, asyncio.Future[bytes]] = {}
        self._ids = itertools.count(1)

    async def want(self, name: str, asks: list[BlockAsk]) -> dict[str, asyncio.Future[bytes]]:
        futures: dict[str, asyncio.Future[bytes]] = {}
        named: list[list[object]] = []
        for path, number, digest in asks:
            request_id = next(self._ids)
            future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
            future.add_done_callback(_quiet)
            self._waiting[request_id] = futures[digest] = future
            named.append([request_id, path, number, digest])
        await self._send_want(name, named)
        return futures

    def arrived(self, blocks: Arrived) -> None:
        for request_id, data in blocks:
            future = self._waiting.pop(request_id, None)
            if future is not None and not future.done():
                if data is None:
                    future.set_exception(BlockUnavailable())
                else:
                    future.set_result(data)

    def cancel_all(self) -> None:
        for future in self._waiting.values():
            future.cancel()


class Puller:
    def __init__(
        self,
        folders: dict[str, SyncedFolder],
        requests: BlockRequests,
        changed: Changed,
        trouble: Trouble,
    ) -> None:
        self.folders, self.requests = folders, requests
        self.changed, self.trouble = changed, trouble
        self._work: asyncio.Queue[Work] = asyncio.Queue()
        self._asked: dict[Key, asyncio.Future[bytes]] = {}
        self._unsaved: set[str] = set()  # folders whose index changed since it was saved
        self._batches_unsaved = 0

    def queue(self, name: str, entries: list[FileEntry]) -> None:
        for entry in entries:
            self._work.put_nowait((name, entry))

    async def run(self) -> None:
        batch = [await self._work.get(), *self._ready(BATCH - 1)]
        needed = await self._ask_for(batch)
        while True:
            upcoming = self._ready(BATCH)
            # Ask for the next batch's blocks now, so they flow while this batch is written.
            needed_next = await self._ask_for(upcoming)
            await self._apply_batch(batch)
            await self._save(finished=not upcoming)
            self._drop(needed - needed_next)  # asked for but not used (changed meanwhile)
            batch, needed = upcoming, needed_next
            if not batch:
                batch = [await self._work.get(), *self._ready(BATCH - 1)]
                needed = await self._ask_for(batch)

    def _ready(self, most: int) -> list[Work]:
        """What is queued already, up to ``most`` entries and PIPELINE_BYTES of files."""
        taken: list[Work] = []
        size = 0
        while not self._work.empty() and len(taken) < most and size < PIPELINE_BYTES:
            taken.append(self._work.get_nowait())
            size += taken[-1][1].size
        return taken

    def _drop(self, keys: set[Key]) -> None:
        for key in keys:
            future = self._asked.pop(key, None)
            if future is not None:
                future.cancel()

    async def _ask_for(self, batch: list[Work]) -> set[Key]:
        """Ask at once for the blocks the batch lacks, up to PREFETCH_BYTES; the keys of every
        block the batch will take from what is asked for (this time or before)."""
        needed: set[Key] = set()
        budget = PREFETCH_BYTES
        wanted: dict[str, list[BlockAsk]] = {}
        for name, theirs in batch:
            folder = self.folders[name].folder
            if decide(folder.index.entries.get(theirs.path), theirs) is Decision.IGNORE:
                continue
            held = folder.held_digests()
            for number, digest in enumerate(theirs.blocks):
                key = (name, digest)
                if digest in held or key in needed:
                    continue
                if key not in self._asked:
                    length = min(BLOCK_SIZE, theirs.size - number * BLOCK_SIZE)
                    if budget < length:
                        continue  # past the budget: fetched a window at a time
                    budget -= length
                    wanted.setdefault(name, []).append((theirs.path, number, digest))
                needed.add(key)
        for name, asks in wanted.items():
            for start in range(0, len(asks), WANT_BLOCKS):
                futures = await self.requests.want(name, asks[start : start + WANT_BLOCKS])
                self._asked.update({(name, digest): f for digest, f in futures.items()})
        return needed

    async def _apply_batch(self, batch: list[Work]) -> None:
        for name in dict.fromkeys(name for name, _ in batch):
            async with self.folders[name].lock:  # FolderReplacedError ends the session
                await self.folders[name].folder.check_mark()
        touched: dict[str, list[FileEntry]] = {}
        for name, theirs in batch:
            entries = await self._apply_one(name, theirs)
            if entries:
                touched.setdefault(name, []).extend(entries)
        for name, entries in touched.items():
            self._unsaved.add(name)
            await self.changed(name, entries)

    async def _save(self, *, finished: bool) -> None:
        """Journal the changed indexes once the queue is drained, or every SAVE_EVERY batches.
        A kill before a save loses nothing: the files are in place, and the rescan after the
        restart finds them with the same content as the peer's entries (merged, no conflict)."""
        self._batches_unsaved += 1
        if not finished and self._batches_unsaved < SAVE_EVERY:
            return
        for name in sorted(self._unsaved):
            async with self.folders[name].lock:
                await self.folders[name].folder.save()
        self._unsaved.clear()
        self._batches_unsaved = 0

    async def _apply_one(self, name: str, theirs: FileEntry) -> list[FileEntry]:
        shared = self.folders[name]
        if decide(shared.folder.index.entries.get(theirs.path), theirs) is Decision.IGNORE:
            return []  # known already (our own change coming back): a scan sees any edit
        try:
            async with shared.lock:
                return await _apply(shared.folder, theirs, self._fetcher(name, theirs))
        except (BlockUnavailable, TimeoutError):
            return []  # it changed on the peer; its next index says what it is now
        except (IntegrityError, NameRefusedError, OSError) as error:
            # Nothing of this file was written; the next index or rescan asks for it again.
            # A name this folder's storage refuses stays on the peer, reported, never deleted.
            self.trouble(f"{name}: {theirs.path}: {error}")
            return []

    def _fetcher(self, name: str, theirs: FileEntry) -> FetchBlock:
        """A block fetch that uses what was asked for ahead; on a miss it asks for this block
        and the next missing ones of the file (a window), so a large file costs one round
        trip per window, not per block."""
        held = self.folders[name].folder.held_digests()

        async def fetch(number: int, digest: str) -> bytes:
            if (name, digest) not in self._asked:
                window: dict[str, BlockAsk] = {digest: (theirs.path, number, digest)}
                for k in range(number + 1, min(number + WINDOW_BLOCKS, len(theirs.blocks))):
                    wanted = theirs.blocks[k]
                    if wanted not in held and (name, wanted) not in self._asked:
                        window.setdefault(wanted, (theirs.path, k, wanted))
                futures = await self.requests.want(name, list(window.values()))
                self._asked.update({(name, d): future for d, future in futures.items()})
            return await asyncio.wait_for(self._asked.pop((name, digest)), BLOCK_TIMEOUT)

        return fetch


async def _apply(folder: DeviceFolder, theirs: FileEntry, fetch: FetchBlock) -> list[FileEntry]:
    refreshed = await folder.refresh(theirs.path)  # decide against the storage as it is now
    ours = folder.index.entries.get(theirs.path)
    decision = decide(ours, theirs)
    aside = loser_name(theirs if decision is Decision.CONFLICT_OURS_WINS else ours or theirs)
    if decision is Decision.TAKE:
        version = merged(ours.version, theirs.version) if ours else theirs.version
        await folder.take(theirs, fetch, version=version)
    elif decision is Decision.MERGE:
        folder.merge_version(theirs.path, theirs)
    elif decision is Decision.CONFLICT_THEIRS_WINS and ours is not None:
        await folder.keep_aside(ours, fetch, ours=True)
        await folder.take(theirs, fetch, version=merged(ours.version, theirs.version))
    elif decision is Decision.CONFLICT_OURS_WINS and ours is not None:
        if not theirs.deleted:
            await folder.keep_aside(theirs, fetch, ours=False)
        folder.merge_version(theirs.path, theirs)
    if decision is Decision.IGNORE:
        return [refreshed] if refreshed else []  # a local change found: announced by the caller
    # Looked up by path, not by a pass over the index: that pass cost O(folder) per entry
    # applied, O(N^2) over an initial sync (~1.6 s of CPU for 10,000 files, as it grows).
    entries = folder.index.entries
    return [entries[path] for path in dict.fromkeys((theirs.path, aside)) if path in entries]


def _quiet(future: asyncio.Future[bytes]) -> None:
    """A block asked for but not used may fail; that is not worth a warning."""
    if not future.cancelled():
        with contextlib.suppress(Exception):
            future.exception()


__all__ = ["BlockRequests", "BlockUnavailable", "Puller", "SyncedFolder"]
