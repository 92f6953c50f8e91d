"""Browser transfers: send blobs to a peer, or receive a link into a folder, verified.

The sans-IO sessions from the core drive everything; this module moves their bytes over a
BrowserChannel and their reads and writes to blobs and directory handles. A cut connection
keeps the receiver's progress (in memory here) and waits for the other side to return.
``on_status`` gets a TransferStatus after every step: bytes, speed, time left, final state.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import js
from pyodide.ffi import JsException, create_proxy, to_js

from syncoxide.errors import (
    CancelledByUserError,
    IntegrityError,
    LocalProtocolError,
    PeerGoneError,
    SyncoxideError,
    TransportError,
)
from syncoxide.protocol.events import Cancel
from syncoxide.protocol.peer_failures import error_from_peer
from syncoxide.protocol.receiving import (
    DigestNeeded,
    FileVerified,
    ManifestReady,
    ReceiverAction,
    ReceiverProgress,
    ReceiverSession,
    TransferComplete,
    WriteChunk,
)
from syncoxide.protocol.sending import BROWSER_CHUNK_SIZE, SenderSession, TransferConfirmed
from syncoxide_web.p2p.channel import (
    BrowserChannel,
    BrowserSignaling,
    negotiate,
    watch_presence,
)
from syncoxide_web.p2p.destination import DirectoryDestination
from syncoxide_web.p2p.files import BlobSources
from syncoxide_web.p2p.opfs_destination import OpfsDestination, open_destination
from syncoxide_web.p2p.status import StatusCallback, TransferStatus

BATCH = 4 * 1024 * 1024  # about this much is taken per wake-up before its writes and credit go
TOP_UP = 3 * 1024 * 1024  # credit goes back in steps this large: each one wakes the sender
# ...waiting at most this long (s) for it to gather: a wake-up per message would cost more CPU
# than the bytes, and the credit window hides the delay from the sender.
GATHER = 0.1
# Credit granted by a browser receiver. Bytes wait in more places here than in the CLI: the
# sender's send queue (12 MiB), a batch gathering (BATCH), batches queued for the writer worker
# (two of BATCH) and a TOP_UP step not yet returned: 27 MiB when all are full at once, more than
# the CLI's 24 MiB window, so the sender sometimes waited for credit. Measured on 256 MiB,
# 8 rounds each: 21.1 MB/s with 24 MiB, 22.2 MB/s with 64 MiB (median). It bounds what the
# receiving page holds in memory.
WINDOW = 48 * 1024 * 1024
# The longest a FAILURE frame waits for the blocks queued ahead of it (at 200 kB/s, 12 MiB).
FAILURE_QUEUE_WAIT = 60.0


def _now() -> float:
    return float(js.performance.now()) / 1000


def _transfer_id(room: str) -> bytes:
    return base64.urlsafe_b64decode(room + "==")[:16]


def room_address(link_text: str) -> tuple[str, str, str]:
    """(server, room, token) from a link ``<server>/p/<room>#<token>``."""
    parts = urlsplit(link_text)
    return f"{parts.scheme}://{parts.netloc}", parts.path.rsplit("/", 1)[-1], parts.fragment


async def look_at_room(server: str, room: str, token: str) -> dict[str, Any]:
    """``{"sender": bool, "fallback": str | None}`` without joining the room."""
    headers = js.Object.fromEntries(to_js([["X-Room-Token", token]]))
    init = js.Object.fromEntries(to_js([["headers", headers]]))
    response = await js.fetch(f"{server}/signal/rooms/{room}", init)
    if not response.ok:
        raise TransportError(f"The server could not describe the transfer ({response.status}).")
    state: dict[str, Any] = json.loads(await response.text())
    return state


async def tell_room(server: str, room: dict[str, Any], summary: dict[str, Any]) -> None:
    """Put what we offer in the room, for the receive page to show before it loads Python
    (``syncoxide.protocol.offer_summary``). Only a convenience: a refusal is not an error."""
    headers = js.Object.fromEntries(
        to_js([["X-Room-Token", room["token"]], ["Content-Type", "application/json"]])
    )
    init = js.Object.fromEntries(
        to_js([["method", "PUT"], ["headers", headers], ["body", json.dumps(summary)]])
    )
    with contextlib.suppress(JsException):
        await js.fetch(f"{server}/signal/rooms/{room['room']}/summary", init)


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
    *,
    room: dict[str, Any] | None = None,
    server_copy: Awaitable[str] | None = None,
) -> TransferStatus:
    """Send until the receiver verified everything; cancelling the task sends CANCEL.

    ``room`` reuses an earlier room (a sender page reopened: the receiver waits there);
    ``server_copy`` ends with a share link path, announced to the room as the fallback.
    """
    manifest = await sources.hash_all()
    room = room or await create_room(server)
    on_link(room)
    status = TransferStatus(total_bytes=manifest.total_size, started=_now())
    signal = await BrowserSignaling.join(server, room["room"], room["token"], "sender")
    announcer = asyncio.ensure_future(_announce(signal, server_copy)) if server_copy else None
    try:
        while status.state != "verified":
            try:
                link = await negotiate(signal, offer_now=False, wait=None)
            except (TransportError, TimeoutError):  # the receiver went quiet mid-setup
                if signal.close_code:  # the room itself is lost: nothing to wait for
                    raise
                continue
            session = SenderSession(
                manifest, _transfer_id(room["room"]), chunk_size=BROWSER_CHUNK_SIZE
            )
            async with _attempt(signal, link, session, status, on_status=on_status):
                await _pump(link, session, sources, status, on_status=on_status)
    finally:
        if announcer is not None:
            announcer.cancel()
        signal.close()
    return status


async def _announce(signal: BrowserSignaling, server_copy: Awaitable[str]) -> None:
    # Shielded: the upload goes on (it is a share link of its own) when the transfer ends first.
    url = await asyncio.shield(server_copy)
    signal.send({"type": "fallback", "url": url})


@contextlib.asynccontextmanager
async def _attempt(
    signal: BrowserSignaling,
    link: BrowserChannel,
    session: SenderSession | ReceiverSession,
    status: TransferStatus,
    *,
    on_status: StatusCallback,
) -> AsyncIterator[None]:
    """One connection's run, on either side. A lost peer only ends the attempt (the caller
    waits for the next one); a cancel tells the peer (CANCEL, flushed: a few seconds at most)
    before it ends everything; any other error ends everything with the reason shown."""
    watcher = asyncio.ensure_future(watch_presence(signal, link))
    try:
        yield
    except (PeerGoneError, TransportError):
        if signal.cancel_reason is not None:  # the other side stopped it: do not wait for it
            peer = "sender" if isinstance(session, ReceiverSession) else "receiver"
            error = error_from_peer(Cancel(signal.cancel_reason), peer)
            status.state, status.reason = "cancelled", str(error)
            on_status(status)
            raise error from None
        status.state = "waiting"
        on_status(status)
    except asyncio.CancelledError:
        signal.send({"type": "cancel", "reason": "stopped on the other device"})
        session.cancel("stopped on the other device")
        link.send_now(session.data_to_send())
        await link.wait_peer_closed(3.0)
        status.state, status.reason = "cancelled", "You cancelled the transfer."
        on_status(status)
        raise
    except SyncoxideError as error:
        status.state = "cancelled" if isinstance(error, CancelledByUserError) else "failed"
        status.reason = str(error)
        on_status(status)
        raise
    finally:
        watcher.cancel()
        link.close()


async def _pump(
    link: BrowserChannel,
    session: SenderSession,
    sources: BlobSources,
    status: TransferStatus,
    *,
    on_status: StatusCallback,
) -> None:
    """The session decides what is sent (its frames, and spans of files within the credit);
    the JavaScript DataSender reads, frames and sends the spans, in order, behind the frames."""
    status.state = "transferring"
    sender = link.data_sender(BROWSER_CHUNK_SIZE)
    failed: list[tuple[str, str]] = []

    def on_fail(kind: str, message: str) -> None:
        failed.append((kind, message))
        link.inbox.close()  # wakes the wait below; the channel stays open for a FAILURE

    proxy = create_proxy(on_fail)
    sender.onfail = proxy
    try:
        while True:
            try:
                notices = session.receive(await link.receive())
            except PeerGoneError:
                await _raise_send_failure(session, link, failed)
                raise
            if not session.bytes_sent:  # the receiver has said what it already holds
                status.resumed_from = session.already_had
                status.started = _now()
            if frames := session.data_to_send():
                sender.pushFrame(to_js(frames))
            while (span := session.take_span()) is not None:
                blob = sources.blob(span.file_index)
                sender.pushSpan(blob, span.file_index, span.offset, span.length)
            status.done_bytes = session.already_had + int(sender.sent)
            if any(isinstance(notice, TransferConfirmed) for notice in notices):
                status.state = "verified"
                on_status(status)
                return
            on_status(status)
    finally:
        sender.stop()
        sender.onfail = None
        proxy.destroy()


async def _raise_send_failure(
    session: SenderSession, link: BrowserChannel, failed: list[tuple[str, str]]
) -> None:
    """A file could not be read as it was hashed: say so to the receiver (FAILURE), and here.
    The frame is queued behind up to a few MiB of the file's blocks, which a slow link takes
    seconds to send: it is given until they have left (``FAILURE_QUEUE_WAIT`` at most), then a
    few seconds more to arrive, before the channel closes."""
    if failed and failed[0][0] == "changed":
        error = LocalProtocolError(
            f"A file changed on disk while it was being sent ({failed[0][1]}).",
            hint="Send it again once it is no longer being written to.",
        )
        session.fail(error)
        link.send_now(session.data_to_send())
        await link.wait_sent(FAILURE_QUEUE_WAIT)
        await link.wait_peer_closed(3.0)
        raise error
    link.abort()


async def receive_into(
    link_text: str,
    folder: Any,
    on_status: StatusCallback = lambda _s: None,
    wait: float = 60,
    *,
    fallback_after: float | None = None,
) -> TransferStatus:
    """Receive until verified. With ``fallback_after``, a room with no sender for that long and
    a server copy ends in state "fallback" with ``status.fallback`` set to the share link path.
    Cancelling the task sends CANCEL; what was written stays for a later resume."""
    server, room, token = room_address(link_text)
    destination = await open_destination(folder, _transfer_id(room).hex()[:12])
    # The writer worker hashes what it writes, so payloads never enter Python.
    hashed_outside = destination.hashes
    progress = ReceiverProgress(_transfer_id(room), hashed_outside=hashed_outside)
    status = TransferStatus(started=_now())
    signal = await BrowserSignaling.join(server, room, token, "receiver")
    try:
        while status.state != "verified":
            link = await _sender_or_fallback(signal, wait, fallback_after)
            if link is None:
                status.state, status.fallback = "fallback", signal.fallback or ""
                status.received = progress  # what arrived: the server copy supplies the rest
                on_status(status)
                break
            session = ReceiverSession(progress, window=WINDOW, top_up=TOP_UP)
            async with _attempt(signal, link, session, status, on_status=on_status):
                await _Receiving(link, session, destination, status).run(on_status)
    finally:
        await destination.close()
        signal.close()
    return status


async def _sender_or_fallback(
    signal: BrowserSignaling, wait: float, fallback_after: float | None
) -> BrowserChannel | None:
    """A connection to the sender; None when it is gone and its server copy is the way."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        step = deadline - loop.time()
        if fallback_after is not None:
            step = min(step, fallback_after)
        try:
            return await negotiate(signal, offer_now=False, wait=max(step, 0.01))
        except TimeoutError:
            if signal.fallback and not signal.sender_present and fallback_after is not None:
                return None
            if loop.time() >= deadline:
                raise PeerGoneError(
                    f"The sender did not connect within {wait:.0f} s.",
                    hint="Ask them to keep their page open (or reopen it), then try again; "
                    "what already arrived is kept.",
                ) from None


@dataclass
class _Receiving:
    """One connection's receiving side: the session decides, the destination writes, the
    status is what the page shows, the link carries the credit back to the sender."""

    link: BrowserChannel
    session: ReceiverSession
    destination: DirectoryDestination | OpfsDestination
    status: TransferStatus

    async def run(self, on_status: StatusCallback) -> None:
        link, session, status = self.link, self.session, self.status
        await link.send(session.data_to_send())
        while status.state != "verified":
            try:
                items = await link.receive_items(BATCH, GATHER)
                await self.take_batch(items)
            finally:
                await link.send(session.data_to_send())
            status.done_bytes = session.progress.received_bytes
            on_status(status)
        # Closing first may drop DONE on the way (a busy sender then waits for a receiver that
        # already left); the sender closes the channel once it has DONE: that is our ack.
        await link.wait_peer_closed(5.0)

    async def take_batch(self, items: Any) -> None:
        """The frames of one wake-up, in order. With hashing outside, a DATA frame's header is
        checked by the session and only then is its payload (still in JavaScript) handed to the
        writer worker; the payloads accepted before an error are written, the refused one is
        not."""
        session = self.session
        outside = session.progress.hashed_outside
        # Per item: DATA (1/0), file, offset, length; read in one call, not four per item.
        headers = [int(value) for value in self.link.inbox.headers(items).to_py().tolist()]
        handed = accepted = accepted_bytes = 0  # items before `handed` went to the writer
        try:
            for position in range(len(headers) // 4):
                is_data, index, offset, length = headers[position * 4 : position * 4 + 4]
                if outside and is_data:
                    actions = session.accept_data(index, offset, length)
                    await self.destination.ensure_open(index)
                    accepted_bytes += length
                else:
                    actions = session.receive(bytes(items[position].frame.to_bytes()))
                accepted = position + 1
                if actions:  # a file's last byte or a control frame: its writes go first
                    await self.hand_over(items, handed, accepted, accepted_bytes)
                    handed, accepted_bytes = accepted, 0
                    await self.apply(actions)
        finally:
            await self.hand_over(items, handed, accepted, accepted_bytes)
        self.link.send_now(session.data_to_send())  # new credit leaves at once

    async def hand_over(self, items: Any, start: int, end: int, count: int) -> None:
        if count:
            await self.destination.write_items(items, start, end)
            self.session.written(count)

    async def apply(self, actions: list[ReceiverAction]) -> None:
        session, destination, status = self.session, self.destination, self.status
        for action in actions:
            if isinstance(action, WriteChunk):
                await destination.write(action.file_index, action.offset, action.payload)
                session.written(len(action.payload))
                # New credit leaves at once, not after the batch.
                self.link.send_now(session.data_to_send())
            elif isinstance(action, ManifestReady):
                await destination.prepare(action.manifest, session.progress)
                status.total_bytes, status.state = action.manifest.total_size, "transferring"
                status.resumed_from = session.progress.received_bytes
                await self.apply(session.request_missing())
            elif isinstance(action, DigestNeeded):
                await self.check_digest(action.file_index)
            elif isinstance(action, FileVerified):
                await destination.finish(action.file_index)
            elif isinstance(action, TransferComplete):
                status.state = "verified"

    async def check_digest(self, index: int) -> None:
        """Ask the writer worker for the file's SHA-256; a wrong one drops the file's bytes."""
        digest = await self.destination.digest(index)
        try:
            actions = self.session.file_digest(index, digest)
        except IntegrityError:
            await self.destination.discard(index)
            raise
        await self.apply(actions)
