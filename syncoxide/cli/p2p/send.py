"""``syncoxide send``: offer files to one receiver, peer-to-peer, until it verified them all.

Hash the files, get a room from the server, print the link and the short code, then wait in the
room. Each time the receiver (re)joins, open a data channel and let the sans-IO SenderSession
answer its requests; a cut connection just means waiting for the next one, and the receiver asks
only for what it does not have yet. Exit 0 only after the receiver confirmed every SHA-256, or,
with ``--also-upload``, when no receiver came but the server copy is complete and verified
(p2p_upload.py): the receiver then gets that copy from the same link or code.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide.cli.p2p.progress import ProgressLine
from syncoxide.cli.p2p.upload import in_daemon_thread, title_of, upload_server_copy
from syncoxide.cli.terminal_qr import print_link_qr
from syncoxide.errors import PeerGoneError, SyncoxideError, TransportError
from syncoxide.native.p2p.channel import ChannelLink, IcePolicy, negotiate
from syncoxide.native.p2p.files import SourceFiles
from syncoxide.native.p2p.signal import SignalingClient, create_room, tell_room
from syncoxide.protocol.offer_summary import summarize
from syncoxide.protocol.sending import SenderSession, TransferConfirmed
from syncoxide.units import counted, format_bytes


@dataclass(frozen=True)
class SendOptions:
    paths: list[Path]
    server: str
    ice: IcePolicy = field(default_factory=IcePolicy)
    wait: float | None = None  # seconds to wait for a receiver; None waits until Ctrl-C
    qr: bool = False  # print the link as a QR code too
    upload_token: str | None = None  # also upload a server copy with this API token


def transfer_id_of(room: str) -> bytes:
    return base64.urlsafe_b64decode(room + "==")[:16]


async def send(options: SendOptions) -> int:
    print(f"Hashing {counted(len(options.paths), 'path')}...", file=sys.stderr)
    sources = await asyncio.to_thread(SourceFiles, options.paths)
    manifest = sources.manifest
    address, code = await create_room(options.server)
    offered = [(entry.path, entry.size) for entry in manifest.files]
    await tell_room(address, summarize(offered, manifest.folders))
    print_link_qr(address.link, options.qr)
    print(f"Link: {address.link}")
    print(f"Code: {code}   (syncoxide receive {code} --server {address.server})")
    print(
        f"{counted(len(manifest.files), 'file')}, {format_bytes(manifest.total_size)}. "
        "Waiting for the receiver..."
    )
    sys.stdout.flush()
    signal = await SignalingClient.join(address, "sender", api_token=options.upload_token)
    progress = ProgressLine(manifest.total_size, "sent")
    copy = _start_server_copy(options, sources, signal)
    try:
        await _serve_until_confirmed(
            signal, sources, transfer_id_of(address.room), options, progress=progress
        )
        progress.finish("Verified: the receiver confirmed every file's SHA-256.")
        if copy is not None and not copy.done():
            print("Finishing the server copy...", file=sys.stderr)
            await copy  # the user asked for it: leave a complete share, not half of one
    except TimeoutError:
        return await _no_receiver(options, copy)
    finally:
        if copy is not None:
            copy.cancel()  # only when we stop early; its thread is a daemon
        sources.close()
        await signal.close()
    return 0


def _start_server_copy(
    options: SendOptions, sources: SourceFiles, signal: SignalingClient
) -> asyncio.Task[str | None] | None:
    if options.upload_token is None:
        return None
    token = options.upload_token
    upload = in_daemon_thread(
        lambda: upload_server_copy(signal.server, token, sources, title_of(sources))
    )
    return asyncio.create_task(_announce(upload, signal))


async def _announce(upload: asyncio.Future[str], signal: SignalingClient) -> str | None:
    """Name the finished copy in the room; a failed upload only loses the fallback."""
    print("Uploading a server copy too...", file=sys.stderr)
    try:
        url = await upload
    except SyncoxideError as error:
        print(f"\nThe server copy failed: {error}", file=sys.stderr)
        return None
    await signal.send({"type": "fallback", "url": url})
    print(f"\nServer copy ready: {signal.server}{url}")
    sys.stdout.flush()
    return url


async def _no_receiver(options: SendOptions, copy: asyncio.Task[str | None] | None) -> int:
    waited = f"No receiver connected within {options.wait or 0:.0f} s"
    if copy is None:
        raise PeerGoneError(f"{waited}.", hint="Nothing was sent; run the command again.")
    if await copy is None:
        raise PeerGoneError(f"{waited}, and the server copy failed.", hint="Run send again.")
    print(f"{waited}; the receiver gets the server copy from the same link or code.")
    return 0


async def _serve_until_confirmed(
    signal: SignalingClient,
    sources: SourceFiles,
    transfer_id: bytes,
    options: SendOptions,
    *,
    progress: ProgressLine,
) -> None:
    # We joined first, or the receiver offers on seeing us join: either way, wait. After a cut
    # that signaling did not explain (both still in the room), we offer again ourselves.
    offer_now = False
    while True:
        peer_changed = asyncio.Event()
        try:
            link = await negotiate(signal, offer_now=offer_now, ice=options.ice, wait=options.wait)
        except PeerGoneError:
            print(
                "\nThe receiver left while the connection was being set up; waiting for it...",
                file=sys.stderr,
            )
            offer_now = False
            continue
        session = SenderSession(sources.manifest, transfer_id)
        try:
            if await _run_connection(
                signal, link, session, sources, progress=progress, peer_changed=peer_changed
            ):
                return
        except (PeerGoneError, TransportError) as error:
            signal.raise_if_cancelled("receiver")
            print(
                f"\nConnection lost ({error.message}); waiting for the receiver...", file=sys.stderr
            )
        finally:
            await link.close()
        offer_now = not peer_changed.is_set()


async def _run_connection(
    signal: SignalingClient,
    link: ChannelLink,
    session: SenderSession,
    sources: SourceFiles,
    *,
    progress: ProgressLine,
    peer_changed: asyncio.Event,
) -> bool:
    watcher = asyncio.create_task(watch_signaling(signal, link, peer_changed))
    try:
        return await _pump(link, session, sources, progress)
    except SyncoxideError as error:
        if not isinstance(error, TransportError):
            with contextlib.suppress(SyncoxideError):
                await link.send(session.data_to_send())  # tell the receiver why
        raise
    except asyncio.CancelledError:  # Ctrl-C: the receiver should hear "cancelled", not wait
        with contextlib.suppress(SyncoxideError, TimeoutError):
            session.cancel("the sender stopped it")
            await asyncio.wait_for(
                signal.send({"type": "cancel", "reason": "the sender stopped it"}), 1
            )
            await asyncio.wait_for(link.send(session.data_to_send()), 1)
            await link.flush(3.0)  # the CANCEL frame queues behind up to a window of DATA
        raise
    finally:
        watcher.cancel()


async def _pump(
    link: ChannelLink, session: SenderSession, sources: SourceFiles, progress: ProgressLine
) -> bool:
    base: int | None = None
    while True:
        message = _nowait(link)
        if message is None and session.next_read() is None:
            message = await link.receive()
        if message is not None:
            notices = session.receive(message)
            await link.send(session.data_to_send())
            if any(isinstance(notice, TransferConfirmed) for notice in notices):
                return True
            continue
        read = session.next_read()
        assert read is not None
        if base is None:
            base = read.offset + sum(f.size for f in sources.manifest.files[: read.file_index])
            progress.start_from(base)
        if sources.holds(read):  # cut from the block already read: no thread hop
            session.send_chunk(read, sources.read(read))
        else:
            session.send_chunk(read, await asyncio.to_thread(sources.read, read))
        await link.send(session.data_to_send())
        progress.update(base + session.bytes_sent)


def _nowait(link: ChannelLink) -> bytes | None:
    with contextlib.suppress(asyncio.QueueEmpty):
        message = link.incoming.get_nowait()
        if message is None:
            link.incoming.put_nowait(None)
            raise PeerGoneError("The data channel to the receiver closed.")
        return message
    return None


async def watch_signaling(
    signal: SignalingClient, link: ChannelLink, peer_changed: asyncio.Event
) -> None:
    """End the connection as soon as signaling says the peer left or came back anew."""
    with contextlib.suppress(TransportError):
        while True:
            message = await signal.next()
            if message["type"] in ("peer-left", "peer-joined", "offer", "cancel"):
                if message["type"] in ("peer-joined", "offer"):
                    signal.push_back(message)  # the next negotiation starts from it
                peer_changed.set()
                link.abort()
                return
