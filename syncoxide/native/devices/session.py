"""One live connection between two trusted devices: prove who we are, trade trust records,
then keep the shared folders' indexes in step and move the blocks each side lacks.

Frames on the data channel (each at most 256 KiB, the channel's message limit)::

    b"P" + part of a JSON message      more of it follows
    b"J" + (last part of) a JSON message
    b"B" + 2-byte header length + JSON header {"id": n} + block bytes

JSON messages: ``auth`` {public, signature} (the channel binding, purpose SYNC, signed by the
device key), ``records`` {records}, ``index`` {folder, entries}, ``request`` {id, folder, path,
block, hash}, ``missing`` {id}. A device that fails ``auth``, is not trusted, or is revoked
by a record the other side sends, is dropped before any index is shown to it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from syncoxide.devices.binding import Purpose, binding
from syncoxide.devices.device_id import device_id
from syncoxide.devices.index import Decision, FileEntry, decide, loser_name, merged
from syncoxide.errors import (
    AuthenticationError,
    IntegrityError,
    PermissionDeniedError,
    RemoteProtocolError,
)
from syncoxide.native.devices.channel_auth import channel_view
from syncoxide.native.devices.folders import SharedFolder
from syncoxide.native.devices.local_folder import LocalFolder
from syncoxide.native.devices.store import DeviceStore, Identity
from syncoxide.native.p2p.channel import MAX_MESSAGE, ChannelLink

BLOCK_TIMEOUT = 30.0
BATCH = 256  # index entries pulled together (their blocks requested at once)
_PART = MAX_MESSAGE - 1


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
        self._parts: list[bytes] = []
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
        for start in range(0, max(len(chosen), 1), 400):
            page = [entry.to_json() for entry in chosen[start : start + 400]]
            await self._json({"type": "index", "folder": name, "entries": page})

    async def _read_forever(self) -> None:
        while True:
            message = await self._next()
            if isinstance(message, tuple):
                future = self._waiting.pop(message[0], None)
                if future is not None and not future.done():
                    future.set_result(message[1])
            elif message["type"] == "index":
                self._queue_index(message)
            elif message["type"] == "request":
                task = asyncio.create_task(self._serve(message))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)
            elif message["type"] == "missing":
                future = self._waiting.pop(int(message["id"]), None)
                if future is not None and not future.done():
                    future.set_exception(BlockUnavailable())
            elif message["type"] == "records":
                await self.store.take([base64.b64decode(raw) for raw in message["records"]])
                await self._check_trusted()

    def _queue_index(self, message: dict[str, Any]) -> None:
        shared = self.folders.get(str(message.get("folder")))
        if shared is None or not shared.config.receives:
            return  # not shared with this peer, or send-only here: its changes are not taken
        for raw in message["entries"]:
            self._work.put_nowait((shared.config.name, FileEntry.from_json(raw)))

    async def _serve(self, message: dict[str, Any]) -> None:
        shared = self.folders.get(str(message.get("folder")))
        data = None
        if shared is not None and shared.config.sends:
            data = await asyncio.to_thread(
                shared.local.serve_block,
                str(message["path"]),
                int(message["block"]),
                str(message["hash"]),
            )
        if data is None:
            await self._json({"type": "missing", "id": message["id"]})
            return
        header = json.dumps({"id": message["id"]}).encode()
        async with self._send_lock:
            await self.link.send(b"B" + len(header).to_bytes(2, "big") + header + data)

    async def _pull_forever(self) -> None:
        while True:
            batch = [await self._work.get()]
            while not self._work.empty() and len(batch) < BATCH:
                batch.append(self._work.get_nowait())
            self._prefetch(batch)
            touched: dict[str, list[FileEntry]] = {}
            for name, theirs in batch:
                shared = self.folders[name]
                try:
                    async with shared.lock:
                        touched.setdefault(name, []).extend(await self._apply(shared, theirs))
                except (BlockUnavailable, TimeoutError):
                    continue  # it changed on the peer; its next index says what it is now
                except (IntegrityError, OSError) as error:
                    print(f"{name}: {theirs.path}: {error}", file=sys.stderr, flush=True)
            self._prefetched.clear()
            for name, entries in touched.items():
                async with self.folders[name].lock:
                    await asyncio.to_thread(self.folders[name].local.save)
                if entries:
                    await self.changed(name, entries)

    def _prefetch(self, batch: list[tuple[str, FileEntry]]) -> None:
        """Ask for every block the batch will need at once: one round trip per batch, not per
        block (small files would otherwise pay a full round trip each)."""
        wanted: dict[str, tuple[str, str, int]] = {}
        for name, theirs in batch:
            local = self.folders[name].local
            if decide(local.index.entries.get(theirs.path), theirs) is Decision.IGNORE:
                continue
            held = local.held_digests()
            for number, digest in enumerate(theirs.blocks):
                if digest not in held and digest not in self._prefetched:
                    wanted.setdefault(digest, (name, theirs.path, number))
        for digest, (name, path, number) in wanted.items():
            task = asyncio.ensure_future(self._request(name, path, number, digest))
            task.add_done_callback(_quiet)
            self._prefetched[digest] = task

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
                return await early
        return await self._request(folder, path, number, digest)

    async def _request(self, folder: str, path: str, number: int, digest: str) -> bytes:
        request_id = next(self._ids)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        body = {"type": "request", "id": request_id, "folder": folder, "path": path}
        await self._json({**body, "block": number, "hash": digest})
        return await asyncio.wait_for(future, BLOCK_TIMEOUT)

    async def _json(self, message: dict[str, Any]) -> None:
        raw = json.dumps(message).encode()
        pieces = [raw[i : i + _PART] for i in range(0, len(raw), _PART)] or [b""]
        async with self._send_lock:
            for piece in pieces[:-1]:
                await self.link.send(b"P" + piece)
            await self.link.send(b"J" + pieces[-1])

    async def _next(self) -> dict[str, Any] | tuple[int, bytes]:
        while True:
            frame = await self.link.receive()
            kind, body = frame[:1], frame[1:]
            if kind == b"P":
                self._parts.append(body)
            elif kind == b"J":
                raw, self._parts = b"".join([*self._parts, body]), []
                return _parse(raw)
            elif kind == b"B" and len(body) >= 2:
                size = int.from_bytes(body[:2], "big")
                return int(json.loads(body[2 : 2 + size])["id"]), body[2 + size :]
            else:
                raise RemoteProtocolError("A peer sent a frame of unknown kind.")

    async def _expect(self, kind: str) -> dict[str, Any]:
        message = await asyncio.wait_for(self._next(), BLOCK_TIMEOUT)
        if isinstance(message, tuple) or message.get("type") != kind:
            raise RemoteProtocolError(f"Expected {kind!r} from the peer first.")
        return message


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except ValueError:
        raise RemoteProtocolError("A peer sent a message that is not JSON.") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise RemoteProtocolError("A peer sent a message without a type.")
    return message


def _quiet(task: asyncio.Future[bytes]) -> None:
    """A prefetch nobody used may fail; that is not worth a warning."""
    if not task.cancelled():
        task.exception()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


__all__ = ["Meeting", "PeerSession", "Shared"]
