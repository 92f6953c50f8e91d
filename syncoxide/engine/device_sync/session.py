"""One sync session with a trusted device over any frame link, speaking the CLI daemon's
protocol (``syncoxide/devices/wire.py``; the daemon's side is ``native/devices/session.py``).

Steps: each side signs the channel binding (purpose SYNC, the pair's room, the DTLS
fingerprints both see) and checks the other's; both trade trust records and drop a peer that is
not trusted (or revoked by a record just received); then each announces its index of every
folder they share and keeps announcing changes. Entries from the peer are checked whole page by
page: a page with one malformed entry (a ``..`` path, blocks that do not add up) is refused as a
protocol error before anything of it is applied, and the session ends with nothing changed.
Entries are then decided one by one with ``syncoxide.devices.index.decide``: taken, merged, or
a conflict that keeps both versions. The blocks an entry lacks are asked for in one ``want``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from syncoxide.devices.binding import ChannelView, Purpose, binding
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
from syncoxide.devices.signing import Ed25519, Identity
from syncoxide.devices.trust import TrustLedger
from syncoxide.devices.wire import (
    Arrived,
    FrameReader,
    Message,
    index_entries,
    json_frames,
    pack_blocks,
    wanted_blocks,
)
from syncoxide.engine.device_sync.provider_folder import FetchBlock, ProviderFolder
from syncoxide.errors import (
    AuthenticationError,
    IntegrityError,
    PermissionDeniedError,
    RemoteProtocolError,
)

STEP_TIMEOUT = 30.0
BLOCK_TIMEOUT = 30.0
WANT_BLOCKS = 256  # blocks named in one ``want`` message
BATCH = 256  # index entries whose missing blocks are asked for together
PREFETCH_BYTES = 32 * 1024 * 1024  # blocks asked for ahead per batch (memory held meanwhile)
WINDOW_BLOCKS = 64  # past that, blocks of a large file asked for this many at a time

Changed = Callable[[str, list[FileEntry]], Awaitable[None]]
Asked = dict[tuple[str, str], "asyncio.Future[bytes]"]  # (folder, digest) -> its block


class FrameLink(Protocol):
    """An open, ordered data channel carrying one frame per message."""

    async def send(self, frame: bytes) -> None: ...

    async def receive(self) -> bytes: ...


class TrustStore(Protocol):
    @property
    def ed25519(self) -> Ed25519: ...

    async def ledger(self) -> TrustLedger: ...

    async def take(self, raws: list[bytes]) -> object: ...


class BlockUnavailable(Exception):
    """The peer no longer holds a block it announced: its next index says what it is now."""


@dataclass
class SyncedFolder:
    folder: ProviderFolder
    peers: tuple[str, ...]
    mode: str = "send-receive"
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def sends(self) -> bool:
        return self.mode != "receive-only"

    @property
    def receives(self) -> bool:
        return self.mode != "send-only"


@dataclass(frozen=True)
class Meeting:
    """Who meets whom, in which room, over which channel, and what they share."""

    store: TrustStore
    me: Identity
    peer: bytes
    room: str
    view: ChannelView  # the DTLS fingerprints, in the order both ends agree on
    folders: dict[str, SyncedFolder]
    changed: Changed  # told what a pull changed, to announce it (here and to other peers)


class ProviderSession:
    def __init__(self, link: FrameLink, meeting: Meeting) -> None:
        self.link, self.meeting = link, meeting
        self.peer_id = device_id(meeting.peer)
        self.folders = {n: s for n, s in meeting.folders.items() if self.peer_id in s.peers}
        self._reader = FrameReader()
        self._send_lock = asyncio.Lock()
        self._work: asyncio.Queue[tuple[str, FileEntry]] = asyncio.Queue()
        self._waiting: dict[int, asyncio.Future[bytes]] = {}
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        await self._authenticate()
        await self._trade_records()
        for name in self.folders:
            await self.announce(name, None)
        puller = asyncio.create_task(self._pull_forever())
        reader = asyncio.create_task(self._read_forever())
        try:
            done, _ = await asyncio.wait({puller, reader}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in (puller, reader, *self._tasks):
                task.cancel()
            for future in self._waiting.values():
                future.cancel()

    async def announce(self, name: str, entries: list[FileEntry] | None) -> None:
        """Tell the peer about changed entries (all of them when ``entries`` is None)."""
        shared = self.folders.get(name)
        if shared is None or not shared.sends:
            return
        index = shared.folder.index.entries.values()
        for page in pages(list(index) if entries is None else entries):
            await self._json({"type": "index", "folder": name, "entries": page})

    async def refresh_trust(self) -> bool:
        """Our records changed (a revocation here): hand them over. False when the peer is no
        longer trusted; the caller then hangs up once the records are on their way."""
        ours = [_b64(r.to_bytes()) for r in (await self.meeting.store.ledger()).records()]
        await self._json({"type": "records", "records": ours})
        return self.meeting.peer in (await self.meeting.store.ledger()).trusted()

    async def _authenticate(self) -> None:
        me, store = self.meeting.me, self.meeting.store
        room = self.meeting.room.encode()
        signature = await store.ed25519.sign(
            me.private, binding(Purpose.SYNC, room, self.meeting.view, me.public)
        )
        await self._json({"type": "auth", "public": _b64(me.public), "signature": _b64(signature)})
        answer = await self._expect("auth")
        try:
            public = base64.b64decode(str(answer["public"]), validate=True)
            theirs = base64.b64decode(str(answer["signature"]), validate=True)
        except (KeyError, ValueError):
            raise RemoteProtocolError("The peer's proof of identity is malformed.") from None
        if public != self.meeting.peer or not await store.ed25519.verify(
            public, binding(Purpose.SYNC, room, self.meeting.view, public), theirs
        ):
            raise AuthenticationError(f"The device in the room is not {self.peer_id}: dropped.")
        await self._check_trusted()

    async def _check_trusted(self) -> None:
        if self.meeting.peer not in (await self.meeting.store.ledger()).trusted():
            raise PermissionDeniedError(f"{self.peer_id} is not trusted (revoked?): dropped.")

    async def _trade_records(self) -> None:
        ours = [_b64(r.to_bytes()) for r in (await self.meeting.store.ledger()).records()]
        await self._json({"type": "records", "records": ours})
        await self._take_records(await self._expect("records"))

    async def _take_records(self, message: Message) -> None:
        try:
            raws = [base64.b64decode(str(raw), validate=True) for raw in message["records"]]
        except (KeyError, TypeError, ValueError):
            raise RemoteProtocolError("The peer sent malformed trust records.") from None
        await self.meeting.store.take(raws)
        await self._check_trusted()

    async def _read_forever(self) -> None:
        while True:
            message = await self._next()
            if isinstance(message, list):
                self._arrived(message)
            elif message["type"] == "index":
                self._queue_index(message)
            elif message["type"] == "want":
                self._start(self._serve(message))
            elif message["type"] == "records":
                await self._take_records(message)

    def _queue_index(self, message: Message) -> None:
        raws = index_entries(message)
        shared = self.folders.get(str(message["folder"]))
        if shared is None or not shared.receives:
            return  # not shared with this peer, or send-only here: its changes are not taken
        entries = [FileEntry.from_json(raw) for raw in raws]  # all checked before any is queued
        for entry in entries:
            self._work.put_nowait((str(message["folder"]), entry))

    def _arrived(self, blocks: Arrived) -> None:
        for request_id, data in blocks:
            future = self._waiting.pop(request_id, None)
            if future is not None and not future.done():
                if data is None:
                    future.set_exception(BlockUnavailable())
                else:
                    future.set_result(data)

    async def _serve(self, message: Message) -> None:
        shared = self.folders.get(str(message.get("folder")))
        answers: Arrived = []
        for request_id, path, number, digest in wanted_blocks(message):
            held = None
            if shared is not None and shared.sends:
                held = await shared.folder.serve_block(path, number, digest)
            answers.append((request_id, held))
        for frame in pack_blocks(answers):
            await self._send_frame(frame)

    async def _pull_forever(self) -> None:
        while True:
            batch = [await self._work.get()]
            while not self._work.empty() and len(batch) < BATCH:
                batch.append(self._work.get_nowait())
            asked = await self._ask_for_batch(batch)
            touched: dict[str, list[FileEntry]] = {}
            for name, theirs in batch:
                touched.setdefault(name, []).extend(await self._apply_one(name, theirs, asked))
            for future in asked.values():
                future.cancel()  # asked for but not needed after all (changed meanwhile)
            for name, entries in touched.items():
                async with self.folders[name].lock:
                    await self.folders[name].folder.save()
                if entries:
                    await self.meeting.changed(name, entries)

    async def _ask_for_batch(self, batch: list[tuple[str, FileEntry]]) -> Asked:
        """Ask for every block the batch lacks at once, in few ``want`` messages: one round
        trip per batch, not per file (many small files would otherwise pay one each)."""
        asked: Asked = {}
        named: set[tuple[str, str]] = set()
        budget = PREFETCH_BYTES
        wanted: dict[str, list[tuple[str, int, str]]] = {}
        for name, theirs in batch:
            folder = self.folders[name].folder
            if decide(folder.index.entries.get(theirs.path), theirs) is Decision.IGNORE:
                continue
            held = folder.held_digests()
            for number, digest in enumerate(theirs.blocks):
                length = min(BLOCK_SIZE, theirs.size - number * BLOCK_SIZE)
                if digest in held or (name, digest) in named or budget < length:
                    continue  # held, asked for, or past the budget: fetched a window at a time
                budget -= length
                named.add((name, digest))
                wanted.setdefault(name, []).append((theirs.path, number, digest))
        for name, items in wanted.items():
            for start in range(0, len(items), WANT_BLOCKS):
                futures = await self._want(name, items[start : start + WANT_BLOCKS])
                asked.update({(name, digest): future for digest, future in futures.items()})
        return asked

    async def _apply_one(self, name: str, theirs: FileEntry, asked: Asked) -> list[FileEntry]:
        shared = self.folders[name]
        if decide(shared.folder.index.entries.get(theirs.path), theirs) is Decision.IGNORE:
            return []
        try:
            async with shared.lock:
                fetch = self._fetcher(name, theirs, asked)
                return await self._apply(shared.folder, theirs, fetch)
        except (BlockUnavailable, TimeoutError):
            return []  # it changed on the peer; its next index says what it is now
        except IntegrityError:
            return []  # a block did not match its hash: nothing was written; asked again later

    async def _apply(
        self, folder: ProviderFolder, theirs: FileEntry, fetch: FetchBlock
    ) -> list[FileEntry]:
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
            return [refreshed] if refreshed else []
        return [e for p, e in folder.index.entries.items() if p in (theirs.path, aside)]

    def _fetcher(self, name: str, theirs: FileEntry, asked: Asked) -> FetchBlock:
        """A block fetch that uses what the batch asked for; on a miss it asks for this block
        and the next missing ones of the file (a window), so a large file costs one round
        trip per window, not per block."""
        held = self.folders[name].folder.held_digests()

        async def fetch(number: int, digest: str) -> bytes:
            if (name, digest) not in asked:
                window = [
                    (theirs.path, k, theirs.blocks[k])
                    for k in range(number, min(number + WINDOW_BLOCKS, len(theirs.blocks)))
                    if k == number or (theirs.blocks[k] not in held
                                       and (name, theirs.blocks[k]) not in asked)
                ]  # fmt: skip
                futures = await self._want(name, window)
                asked.update({(name, d): future for d, future in futures.items()})
            return await asyncio.wait_for(asked.pop((name, digest)), BLOCK_TIMEOUT)

        return fetch

    async def _want(
        self, name: str, items: list[tuple[str, int, str]]
    ) -> dict[str, asyncio.Future[bytes]]:
        futures: dict[str, asyncio.Future[bytes]] = {}
        named = []
        for path, number, digest in items:
            request_id = next(self._ids)
            future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
            future.add_done_callback(_quiet)
            self._waiting[request_id] = futures[digest] = future
            named.append([request_id, path, number, digest])
        await self._json({"type": "want", "folder": name, "blocks": named})
        return futures

    def _start(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _json(self, message: Message) -> None:
        async with self._send_lock:
            for frame in json_frames(message):
                await self.link.send(frame)

    async def _send_frame(self, frame: bytes) -> None:
        async with self._send_lock:
            await self.link.send(frame)

    async def _next(self) -> Message | Arrived:
        while (message := self._reader.feed(await self.link.receive())) is None:
            pass
        return message

    async def _expect(self, kind: str) -> Message:
        message = await asyncio.wait_for(self._next(), STEP_TIMEOUT)
        if isinstance(message, list) or message.get("type") != kind:
            raise RemoteProtocolError(f"Expected {kind!r} from the peer first.")
        return message


def _quiet(future: asyncio.Future[bytes]) -> None:
    """A block asked for but not used may fail; that is not worth a warning."""
    if not future.cancelled():
        with contextlib.suppress(Exception):
            future.exception()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


__all__ = ["FrameLink", "Meeting", "ProviderSession", "SyncedFolder", "TrustStore"]
