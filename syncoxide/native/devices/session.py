"""One live connection between two trusted devices: prove who we are, trade trust records,
then keep the shared folders' indexes in step and move the blocks each side lacks.

The frames and messages are the core's (``syncoxide/devices/wire.py``, shared with the
browser). A ``want`` names many blocks and is answered by few ``K`` frames packing them, so
many small files cost a few messages, not two per block, and the next batch's blocks are asked
for while this batch is written. A device that fails ``auth``, is not trusted, or is revoked by
a record the other side sends, is dropped before any index is shown to it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from syncoxide.devices.binding import Purpose, binding
from syncoxide.devices.device_id import device_id
from syncoxide.devices.index import (
    BLOCK_SIZE,
    Decision,
    FileEntry,
    decide,
    loser_name,
    merged,
    pages,
)
from syncoxide.devices.signing import Identity
from syncoxide.devices.wire import (
    Arrived,
    FrameReader,
    Wanted,
    index_entries,
    json_frames,
    pack_blocks,
    wanted_blocks,
)
from syncoxide.errors import (
    AuthenticationError,
    IntegrityError,
    PermissionDeniedError,
    RemoteProtocolError,
)
from syncoxide.native.devices.channel_auth import channel_view
from syncoxide.native.devices.folders import SharedFolder
from syncoxide.native.devices.local_folder import LocalFolder
from syncoxide.native.devices.store import DeviceStore
from syncoxide.native.p2p.channel import ChannelLink

BLOCK_TIMEOUT = 30.0
BATCH = 256  # index entries pulled together (their blocks requested at once)
WANT_BLOCKS = 256  # blocks named in one ``want`` message
SERVE_BYTES = 4 * 1024 * 1024  # blocks read from disk per trip to a worker thread
PIPELINE_BYTES = 32 * 1024 * 1024  # the next batch is asked for early only up to this size


Changed = Callable[[str, list[FileEntry]], Awaitable[None]]


class BlockUnavailable(Exception):
    """The peer no longer holds a block it announced: wait for its next index."""


@dataclass
class Shared:
    config: SharedFolder
    local: LocalFolder
    lock: asyncio.Lock


@dataclass(frozen=True)
class Meeting:
    """Who meets whom, where, and what they share."""

    store: DeviceStore
    me: Identity
    peer: bytes
    offerer: bool
    room: str
    folders: dict[str, Shared]
    changed: Changed  # tells every session (this one too) what a pull changed


class PeerSession:
    def __init__(self, link: ChannelLink, meeting: Meeting) -> None:
        self.link, self.store, self.me, self.peer = link, meeting.store, meeting.me, meeting.peer
        self.changed = meeting.changed
        self.peer_id = device_id(self.peer)
        self.offerer, self.room = meeting.offerer, meeting.room
        self.folders = {n: s for n, s in meeting.folders.items() if self.peer_id in s.config.peers}
        self._serving: set[asyncio.Task[None]] = set()
        self._send_lock = asyncio.Lock()
        self._waiting: dict[int, asyncio.Future[bytes]] = {}
        self._ids = itertools.count(1)
        self._work: asyncio.Queue[tuple[str, FileEntry]] = asyncio.Queue()
        self._reader = FrameReader()
        self._prefetched: dict[str, asyncio.Future[bytes]] = {}

    async def run(self) -> None:
        await self._authenticate()
        await self._trade_records()
        for name in self.folders:
            await self.announce(name, None)
        worker = asyncio.create_task(self._pull_forever())
        reader = asyncio.create_task(self._read_forever())
        try:
            # Whichever ends first ends the session, with its error: a pull that breaks must
            # not leave a connection that reads but never applies anything.
            done, _ = await asyncio.wait({worker, reader}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            worker.cancel()
            reader.cancel()
            for future in self._waiting.values():
                future.cancel()

    async def _authenticate(self) -> None:
        view = channel_view(self.link, offerer=self.offerer)
        signed = binding(Purpose.SYNC, self.room.encode(), view, self.me.public)
        signature = await self.store.ed25519.sign(self.me.private, signed)
        await self._json(
            {"type": "auth", "public": _b64(self.me.public), "signature": _b64(signature)}
        )
        answer = await self._expect("auth")
        public, theirs = base64.b64decode(answer["public"]), base64.b64decode(answer["signature"])
        expected = binding(Purpose.SYNC, self.room.encode(), view, public)
        if public != self.peer or not await self.store.ed25519.verify(public, expected, theirs):
            raise AuthenticationError(f"The device in the room is not {self.peer_id}: dropped.")
        await self._check_trusted()

    async def _check_trusted(self) -> None:
        if self.peer not in (await self.store.ledger()).trusted():
            raise PermissionDeniedError(f"{self.peer_id} is not trusted (revoked?): dropped.")

    async def _trade_records(self) -> None:
        ours = [_b64(r.to_bytes()) for r in (await self.store.ledger()).records()]
        await self._json({"type": "records", "records": ours})
        answer = await self._expect("records")
        await self.store.take([base64.b64decode(raw) for raw in answer["records"]])
        await self._check_trusted()

    async def refresh_trust(self) -> None:
        """Our records changed: hand them over, and hang up if the peer is no longer trusted."""
        ours = [_b64(r.to_bytes()) for r in (await self.store.ledger()).records()]
        await self._json({"type": "records", "records": ours})
        if self.peer not in (await self.store.ledger()).trusted():
            await self.link.flush(2.0)
            self.link.abort()

    async def announce(self, name: str, entries: list[FileEntry] | None) -> None:
        """Tell the peer about changed entries (all of them when ``entries`` is None)."""
        shared = self.folders.get(name)
        if shared is None or not shared.config.sends:
            return
        chosen = list(shared.local.index.entries.values()) if entries is None else entries
        for page in pages(chosen):
            await self._json({"type": "index", "folder": name, "entries": page})

    async def _read_forever(self) -> None:
        while True:
            message = await self._next()
            if isinstance(message, list):
                self._arrived(message)
            elif message["type"] == "index":
                self._queue_index(message)
            elif message["type"] == "want":
                task = asyncio.create_task(self._serve(message))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)
            elif message["type"] == "records":
                await self.store.take([base64.b64decode(raw) for raw in message["records"]])
                await self._check_trusted()

    def _arrived(self, blocks: Arrived) -> None:
        for request_id, data in blocks:
            future = self._waiting.pop(request_id, None)
            if future is not None and not future.done():
                if data is None:
                    future.set_exception(BlockUnavailable())
                else:
                    future.set_result(data)

    def _queue_index(self, message: dict[str, Any]) -> None:
        shared = self.folders.get(str(message.get("folder")))
        if shared is None or not shared.config.receives:
            return  # not shared with this peer, or send-only here: its changes are not taken
        for raw in index_entries(message):
            self._work.put_nowait((shared.config.name, FileEntry.from_json(raw)))

    async def _serve(self, message: dict[str, Any]) -> None:
        shared = self.folders.get(str(message.get("folder")))
        wanted = wanted_blocks(message)
        step = max(1, SERVE_BYTES // BLOCK_SIZE)
        for start in range(0, len(wanted), step):
            group = wanted[start : start + step]
            if shared is None or not shared.config.sends:
                await self._send_blocks([(item[0], None) for item in group])
            else:
                await self._send_blocks(await asyncio.to_thread(_read_blocks, shared.local, group))

    async def _send_blocks(self, blocks: Arrived) -> None:
        for frame in pack_blocks(blocks):
            await self._send_frame(frame)

    async def _send_frame(self, frame: bytes) -> None:
        async with self._send_lock:
            await self.link.send(frame)

    async def _pull_forever(self) -> None:
        batch = await self._take_batch()
        asked = self._prefetch(batch)
        while True:
            # Ask for the next batch's blocks now, so they flow while this batch is written.
            upcoming = self._take_ready()
            asked_next = self._prefetch(upcoming) if upcoming else set()
            await self._apply_batch(batch)
            for digest in asked - asked_next:
                self._prefetched.pop(digest, None)
            batch, asked = upcoming, asked_next
            if not batch:
                batch = await self._take_batch()
                asked = self._prefetch(batch)

    async def _take_batch(self) -> list[tuple[str, FileEntry]]:
        return [await self._work.get(), *self._take_ready(BATCH - 1)]

    def _take_ready(self, most: int = BATCH) -> list[tuple[str, FileEntry]]:
        """What is queued already, up to ``most`` entries and PIPELINE_BYTES of files."""
        taken: list[tuple[str, FileEntry]] = []
        size = 0
        while not self._work.empty() and len(taken) < most and size < PIPELINE_BYTES:
            taken.append(self._work.get_nowait())
            size += taken[-1][1].size
        return taken

    async def _apply_batch(self, batch: list[tuple[str, FileEntry]]) -> None:
        touched: dict[str, list[FileEntry]] = {}
        for name, theirs in batch:
            shared = self.folders[name]
            if decide(shared.local.index.entries.get(theirs.path), theirs) is Decision.IGNORE:
                continue  # known already (our own change coming back): a scan sees any edit
            try:
                async with shared.lock:
                    touched.setdefault(name, []).extend(await self._apply(shared, theirs))
            except (BlockUnavailable, TimeoutError):
                continue  # it changed on the peer; its next index says what it is now
            except (IntegrityError, OSError) as error:
                print(f"{name}: {theirs.path}: {error}", file=sys.stderr, flush=True)
        for name, entries in touched.items():
            async with self.folders[name].lock:
                await asyncio.to_thread(self.folders[name].local.save)
            if entries:
                await self.changed(name, entries)

    def _prefetch(self, batch: list[tuple[str, FileEntry]]) -> set[str]:
        """Ask for every block the batch will need at once, in few ``want`` messages: one
        round trip per batch, not per block (small files would otherwise pay one each).
        Returns the digests asked for."""
        wanted: dict[str, tuple[str, str, int]] = {}
        held = {name: self.folders[name].local.held_digests() for name in {n for n, _ in batch}}
        for name, theirs in batch:
            local = self.folders[name].local
            if decide(local.index.entries.get(theirs.path), theirs) is Decision.IGNORE:
                continue
            for number, digest in enumerate(theirs.blocks):
                if digest not in held[name] and digest not in self._prefetched:
                    wanted.setdefault(digest, (name, theirs.path, number))
        by_folder: dict[str, list[Wanted]] = {}
        for digest, (name, path, number) in wanted.items():
            request_id, future = self._expect_block()
            future.add_done_callback(_quiet)
            self._prefetched[digest] = future
            by_folder.setdefault(name, []).append((request_id, path, number, digest))
        for name, items in by_folder.items():
            for start in range(0, len(items), WANT_BLOCKS):
                task = asyncio.create_task(self._want(name, items[start : start + WANT_BLOCKS]))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)
        return set(wanted)

    def _expect_block(self) -> tuple[int, asyncio.Future[bytes]]:
        request_id = next(self._ids)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        return request_id, future

    async def _want(self, folder: str, items: list[Wanted]) -> None:
        blocks = [list(item) for item in items]
        await self._json({"type": "want", "folder": folder, "blocks": blocks})

    async def _apply(self, shared: Shared, theirs: FileEntry) -> list[FileEntry]:
        local = shared.local
        # Decide against the disk as it is now; a local change found here is announced below.
        refreshed = await asyncio.to_thread(local.refresh, theirs.path)
        ours = local.index.entries.get(theirs.path)
        decision = decide(ours, theirs)
        aside = loser_name(theirs if decision is Decision.CONFLICT_OURS_WINS else ours or theirs)

        async def fetch(number: int, digest: str) -> bytes:
            return await self._fetch(shared.config.name, theirs.path, number, digest)

        if decision is Decision.TAKE:
            version = merged(ours.version, theirs.version) if ours else theirs.version
            await local.take(theirs, fetch, version=version)
        elif decision is Decision.MERGE:
            local.merge_version(theirs.path, theirs)
        elif decision is Decision.CONFLICT_THEIRS_WINS and ours is not None:
            await local.keep_aside(ours, fetch, ours=True)
            await local.take(theirs, fetch, version=merged(ours.version, theirs.version))
        elif decision is Decision.CONFLICT_OURS_WINS and ours is not None:
            if not theirs.deleted:
                await local.keep_aside(theirs, fetch, ours=False)
            local.merge_version(theirs.path, theirs)
        if decision is Decision.IGNORE:
            return [refreshed] if refreshed else []
        return [e for p, e in local.index.entries.items() if p in (theirs.path, aside)]

    async def _fetch(self, folder: str, path: str, number: int, digest: str) -> bytes:
        early = self._prefetched.pop(digest, None)
        if early is not None:
            with contextlib.suppress(BlockUnavailable, TimeoutError, asyncio.CancelledError):
                return await asyncio.wait_for(asyncio.shield(early), BLOCK_TIMEOUT)
        request_id, future = self._expect_block()
        await self._want(folder, [(request_id, path, number, digest)])
        return await asyncio.wait_for(future, BLOCK_TIMEOUT)

    async def _json(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            for frame in json_frames(message):
                await self.link.send(frame)

    async def _next(self) -> dict[str, Any] | Arrived:
        while (message := self._reader.feed(await self.link.receive())) is None:
            pass
        return message

    async def _expect(self, kind: str) -> dict[str, Any]:
        message = await asyncio.wait_for(self._next(), BLOCK_TIMEOUT)
        if isinstance(message, list) or message.get("type") != kind:
            raise RemoteProtocolError(f"Expected {kind!r} from the peer first.")
        return message


def _read_blocks(local: LocalFolder, group: list[Wanted]) -> Arrived:
    return [(i, local.serve_block(path, number, digest)) for i, path, number, digest in group]


def _quiet(task: asyncio.Future[bytes]) -> None:
    """A prefetch nobody used may fail; that is not worth a warning."""
    if not task.cancelled():
        task.exception()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


__all__ = ["Meeting", "PeerSession", "Shared"]
