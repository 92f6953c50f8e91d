"""One sync session with a trusted device over any frame link: the one the CLI daemon
(``syncoxide/native/devices/daemon.py``, folders on disk, aiortc) and the browser
(``syncoxide_web/devices/device_sync.py``, OPFS folders, its RTCDataChannel) both run. The
messages are ``syncoxide/devices/wire.py``'s; the IO comes in through ports: the link, the
folders (``folder_port.DeviceFolder``) and the trust store.

Steps: each side signs the channel binding (purpose SYNC, the pair's room, the DTLS
fingerprints both see) and checks the other's; both trade trust records and drop a peer that is
not trusted (or revoked by a record just received); then each announces its index of every
folder they share and keeps announcing changes. Nothing else leaves before those two steps are
done (the peer would take it as a protocol error): a change announced meanwhile is in the full
index that follows, and records changed meanwhile are sent again right after the trade.
Entries from the peer are checked whole page by page: a page with one malformed entry (a ``..``
path, blocks that do not add up) is refused as a protocol error before anything of it is
applied, and the session ends with nothing changed.
Accepted entries are applied by ``pull.Puller``; a ``want`` from the peer is answered by
``K`` frames packing the blocks, read ``SERVE_BYTES`` at a time.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Protocol

from syncoxide.devices.binding import ChannelView, Purpose, binding
from syncoxide.devices.device_id import device_id
from syncoxide.devices.index import BLOCK_SIZE, FileEntry, pages
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
from syncoxide.engine.device_sync.pull import (
    BlockRequests,
    BlockUnavailable,
    Changed,
    Puller,
    SyncedFolder,
    Trouble,
)
from syncoxide.errors import AuthenticationError, PermissionDeniedError, RemoteProtocolError

STEP_TIMEOUT = 30.0
SERVE_BYTES = 4 * 1024 * 1024  # blocks read per call to the folder (a worker-thread trip)


class FrameLink(Protocol):
    """An open, ordered data channel carrying one frame per message."""

    async def send(self, frame: bytes) -> None: ...

    async def receive(self) -> bytes: ...


class TrustStore(Protocol):
    @property
    def ed25519(self) -> Ed25519: ...

    async def ledger(self) -> TrustLedger: ...

    async def take(self, raws: list[bytes]) -> object: ...


def _unreported(problem: str) -> None:
    """The default for ``Meeting.trouble``: the entry is skipped and asked for again later."""


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
    trouble: Trouble = field(default=_unreported)  # a file not taken: a bad block, a disk error


class DeviceSession:
    def __init__(self, link: FrameLink, meeting: Meeting) -> None:
        self.link, self.meeting = link, meeting
        self.peer_id = device_id(meeting.peer)
        self.folders = {n: s for n, s in meeting.folders.items() if self.peer_id in s.peers}
        self._reader = FrameReader()
        self._send_lock = asyncio.Lock()
        self._requests = BlockRequests(self._send_want)
        self._tasks: set[asyncio.Task[None]] = set()
        # The last entry the peer announced for each (folder, path): an entry we took from it
        # is not announced back (10,000 files taken would go back as 10,000 entries to parse).
        self._heard: dict[tuple[str, str], FileEntry] = {}
        # Nothing but ``auth`` then ``records`` may go out until both are done: the daemon (or
        # the browser) may announce a change or new records while we still wait for the peer's
        # proof, and the peer takes anything else first as a protocol error.
        self._ready = False
        self._records_changed = False  # records changed before we were ready: send them again

    async def run(self) -> None:
        await self._authenticate()
        await self._trade_records()
        self._ready = True  # the full index below holds whatever was announced until now
        if self._records_changed:
            await self._send_records()
        for name in self.folders:
            await self.announce(name, None)
        puller = Puller(self.folders, self._requests, self.meeting.changed, self.meeting.trouble)
        pulling = asyncio.create_task(puller.run())
        reading = asyncio.create_task(self._read_forever(puller))
        try:
            # Whichever ends first ends the session, with its error: a pull that breaks must
            # not leave a connection that reads but never applies anything.
            done, _ = await asyncio.wait({pulling, reading}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in (pulling, reading, *self._tasks):
                task.cancel()
            self._requests.cancel_all()

    async def announce(self, name: str, entries: list[FileEntry] | None) -> None:
        """Tell the peer about changed entries (all of them when ``entries`` is None)."""
        shared = self.folders.get(name)
        if shared is None or not shared.sends or not self._ready:
            return
        if entries is None:
            chosen = list(shared.folder.index.entries.values())
        else:
            chosen = [e for e in entries if self._heard.get((name, e.path)) != e]
            if not chosen:
                return  # all of it came from this peer as it is
        for page in pages(chosen):
            await self._json({"type": "index", "folder": name, "entries": page})

    async def refresh_trust(self) -> bool:
        """Our records changed (a revocation here): hand them over. False when the peer is no
        longer trusted; the caller then hangs up once the records are on their way."""
        if self._ready:
            await self._send_records()
        else:
            self._records_changed = True
        return self.meeting.peer in (await self.meeting.store.ledger()).trusted()

    async def _send_records(self) -> None:
        ours = [_b64(r.to_bytes()) for r in (await self.meeting.store.ledger()).records()]
        await self._json({"type": "records", "records": ours})

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
        await self._send_records()
        await self._take_records(await self._expect("records"))

    async def _take_records(self, message: Message) -> None:
        try:
            raws = [base64.b64decode(str(raw), validate=True) for raw in message["records"]]
        except (KeyError, TypeError, ValueError):
            raise RemoteProtocolError("The peer sent malformed trust records.") from None
        await self.meeting.store.take(raws)
        await self._check_trusted()

    async def _read_forever(self, puller: Puller) -> None:
        while True:
            message = await self._next()
            if isinstance(message, list):
                self._requests.arrived(message)
            elif message["type"] == "index":
                self._queue_index(puller, message)
            elif message["type"] == "want":
                self._start(self._serve(message))
            elif message["type"] == "records":
                await self._take_records(message)

    def _queue_index(self, puller: Puller, message: Message) -> None:
        raws = index_entries(message)
        shared = self.folders.get(str(message["folder"]))
        if shared is None or not shared.receives:
            return  # not shared with this peer, or send-only here: its changes are not taken
        name = str(message["folder"])
        entries = [FileEntry.from_json(raw) for raw in raws]  # all checked before any is kept
        self._heard.update({(name, entry.path): entry for entry in entries})
        puller.queue(name, entries)

    async def _serve(self, message: Message) -> None:
        shared = self.folders.get(str(message.get("folder")))
        wanted = wanted_blocks(message)
        step = max(1, SERVE_BYTES // BLOCK_SIZE)
        for start in range(0, len(wanted), step):
            group = wanted[start : start + step]
            held: list[bytes | None] = [None] * len(group)
            if shared is not None and shared.sends:
                held = await shared.folder.serve_blocks([(p, n, d) for _, p, n, d in group])
            answers: Arrived = [(item[0], data) for item, data in zip(group, held, strict=True)]
            for frame in pack_blocks(answers):
                await self._send_frame(frame)

    async def _send_want(self, name: str, named: list[list[object]]) -> None:
        await self._json({"type": "want", "folder": name, "blocks": named})

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


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


__all__ = [
    "BlockUnavailable",
    "DeviceSession",
    "FrameLink",
    "Meeting",
    "SyncedFolder",
    "TrustStore",
]
