"""Browser transfers: send blobs to a peer, or receive a link into a folder, verified.

The sans-IO sessions from the core drive everything; this module moves their bytes over a
BrowserChannel and their reads and writes to blobs and directory handles. A cut connection
keeps the receiver's progress (in memory here) and waits for the other side to return.
``on_status`` gets a TransferStatus after every step: bytes, speed, time left, final state.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import js  # type: ignore[import-not-found]

from syncoxide.errors import PeerGoneError, SyncoxideError, TransportError
from syncoxide.protocol.receiving import (
    FileVerified,
    ManifestReady,
    ReceiverAction,
    ReceiverProgress,
    ReceiverSession,
    TransferComplete,
    WriteChunk,
)
from syncoxide.protocol.sending import SenderSession, TransferConfirmed
from syncoxide_web.p2p_channel import BrowserChannel, BrowserSignaling, negotiate
from syncoxide_web.p2p_destination import DirectoryDestination
from syncoxide_web.p2p_files import BlobSources


@dataclass
class TransferStatus:
    done_bytes: int = 0
    total_bytes: int = 0
    started: float = 0.0
    state: str = "waiting"  # waiting, transferring, verified, failed, cancelled
    resumed_from: int = 0  # bytes already there (from an earlier page) when this run started
    reason: str = ""

    def speed(self, now: float) -> float:
        return (self.done_bytes - self.resumed_from) / max(now - self.started, 1e-3)


StatusCallback = Callable[[TransferStatus], None]


def _now() -> float:
    return float(js.performance.now()) / 1000


def _transfer_id(room: str) -> bytes:
    return base64.urlsafe_b64decode(room + "==")[:16]


async def create_room(server: str) -> dict[str, Any]:
    response = await js.fetch(f"{server}/signal/rooms", js.Object.fromEntries([["method", "POST"]]))
    if not response.ok:
        raise TransportError(f"The server could not open a transfer room ({response.status}).")
    room: dict[str, Any] = json.loads(await response.text())
    room["link"] = f"{server}/p/{room['room']}#{room['token']}"
    return room


async def send_blobs(
    server: str,
    sources: BlobSources,
    on_link: Callable[[dict[str, Any]], None],
    on_status: StatusCallback = lambda _s: None,
) -> TransferStatus:
    manifest = await sources.hash_all()
    room = await create_room(server)
    on_link(room)
    status = TransferStatus(total_bytes=manifest.total_size, started=_now())
    signal = await BrowserSignaling.join(server, room["room"], room["token"], "sender")
    try:
        offer_now = False
        while status.state != "verified":
            try:
                link = await negotiate(signal, offer_now=offer_now, wait=None)
            except PeerGoneError:
                continue
            session = SenderSession(manifest, _transfer_id(room["room"]))
            try:
                await _pump(link, session, sources, status, on_status)
            except (PeerGoneError, TransportError):
                offer_now = False
            finally:
                link.close()
    finally:
        signal.close()
    return status


async def _pump(
    link: BrowserChannel,
    session: SenderSession,
    sources: BlobSources,
    status: TransferStatus,
    on_status: StatusCallback,
) -> None:
    status.state = "transferring"
    while True:
        read = session.next_read() if link.incoming.empty() else None
        if read is None:  # a message waits, or nothing may be sent until one comes
            notices = session.receive(await link.receive())
        else:
            session.send_chunk(read, await sources.read(read))
            notices = []
            status.done_bytes += read.length
        await link.send(session.data_to_send())
        if any(isinstance(notice, TransferConfirmed) for notice in notices):
            status.state = "verified"
            on_status(status)
            return
        on_status(status)


async def receive_into(
    link_text: str, folder: Any, on_status: StatusCallback = lambda _s: None, wait: float = 60
) -> TransferStatus:
    parts = urlsplit(link_text)
    server, room, token = (
        f"{parts.scheme}://{parts.netloc}",
        parts.path.rsplit("/", 1)[-1],
        parts.fragment,
    )
    progress = ReceiverProgress(_transfer_id(room))
    destination = DirectoryDestination(folder, progress.transfer_id.hex()[:12])
    status = TransferStatus(started=_now())
    signal = await BrowserSignaling.join(server, room, token, "receiver")
    try:
        while status.state != "verified":
            link = await negotiate(signal, offer_now=False, wait=wait)
            try:
                await _receive_connection(
                    link, ReceiverSession(progress), destination, status, on_status
                )
            except (PeerGoneError, TransportError):
                status.state = "waiting"
            except SyncoxideError as error:
                status.state, status.reason = "failed", str(error)
                raise
            finally:
                link.close()
    finally:
        await destination.close()
        signal.close()
    return status


async def _receive_connection(
    link: BrowserChannel,
    session: ReceiverSession,
    destination: DirectoryDestination,
    status: TransferStatus,
    on_status: StatusCallback,
) -> None:
    await link.send(session.data_to_send())
    while status.state != "verified":
        try:
            actions = session.receive(await link.receive_many())
            await _apply(session, destination, status, actions)
        finally:
            await link.send(session.data_to_send())
        status.done_bytes = session.progress.received_bytes
        on_status(status)
    await asyncio.sleep(0.2)  # let DONE leave before the connection is closed


async def _apply(
    session: ReceiverSession,
    destination: DirectoryDestination,
    status: TransferStatus,
    actions: list[ReceiverAction],
) -> None:
    for action in actions:
        if isinstance(action, WriteChunk):
            await destination.write(action.file_index, action.offset, action.payload)
            session.written(len(action.payload))
        elif isinstance(action, ManifestReady):
            await destination.prepare(action.manifest, session.progress)
            status.total_bytes, status.state = action.manifest.total_size, "transferring"
            status.resumed_from = session.progress.received_bytes
            await _apply(session, destination, status, session.request_missing())
        elif isinstance(action, FileVerified):
            await destination.finish(action.file_index)
        elif isinstance(action, TransferComplete):
            status.state = "verified"
