"""``syncoxide receive``: fetch a transfer peer-to-peer into a folder, verified, resumable.

Join the room from the link (or the short code), open a data channel when the sender is there,
and let the sans-IO ReceiverSession drive: it asks for each unfinished file from where it
stopped, grants credit as bytes reach the disk, and checks every SHA-256. A cut connection keeps
all progress (in memory and in the partial files) and waits for the sender to return; a restarted
receiver re-reads its partial files instead of receiving them again. When the sender is gone for
FALLBACK_AFTER seconds and named a server copy, the rest comes from that copy instead
(p2p_server_copy.py), into the same partial files. Exit 0 only when verified.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from syncoxide.cli.p2p.progress import ProgressLine
from syncoxide.cli.p2p.send import transfer_id_of, watch_signaling
from syncoxide.cli.p2p.server_copy import FALLBACK_AFTER, fetch_server_copy
from syncoxide.errors import PeerGoneError, SyncoxideError, TransportError
from syncoxide.native.p2p.channel import ChannelLink, IcePolicy, negotiate
from syncoxide.native.p2p.files import DestinationFolder
from syncoxide.native.p2p.signal import SignalingClient, resolve
from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.receiving import (
    FileVerified,
    ManifestReady,
    ReceiverAction,
    ReceiverProgress,
    ReceiverSession,
    TransferComplete,
    WriteChunk,
)


@dataclass(frozen=True)
class ReceiveOptions:
    link_or_code: str
    out_dir: Path
    server: str | None = None
    ice: IcePolicy = field(default_factory=IcePolicy)
    wait: float = 60.0  # seconds to wait for the sender to (re)appear
    fallback_after: float = FALLBACK_AFTER  # seconds without a sender before its server copy


@dataclass
class _Receiving:
    folder: DestinationFolder
    progress: ReceiverProgress
    line: ProgressLine | None = None
    complete: bool = False
    source: str = "peer-to-peer"


async def receive(options: ReceiveOptions) -> int:
    address = await resolve(options.link_or_code, options.server)
    transfer_id = transfer_id_of(address.room)
    state = _Receiving(
        DestinationFolder(options.out_dir, transfer_id), ReceiverProgress(transfer_id)
    )
    signal = await SignalingClient.join(address, "receiver")
    try:
        await _receive_until_verified(signal, state, options)
    except SyncoxideError:
        if state.line is not None:
            state.line.finish("Failed:")  # the reason follows on its own line
        raise
    finally:
        state.folder.close()
        await signal.close()
    if state.line is not None:
        state.line.finish(
            f"Verified: every file's SHA-256 matched ({state.source}). Saved in {state.folder.root}"
        )
    return 0


async def _receive_until_verified(
    signal: SignalingClient, state: _Receiving, options: ReceiveOptions
) -> None:
    while not state.complete:
        peer_changed = asyncio.Event()
        link = await _sender_or_server_copy(signal, options)
        if link is None:
            await _use_server_copy(signal, state)
            return
        try:
            await _run_connection(signal, link, state, peer_changed)
        except (PeerGoneError, TransportError) as error:
            signal.raise_if_cancelled("sender")
            print(
                f"\nConnection lost ({error.message}); waiting for the sender...", file=sys.stderr
            )
        finally:
            await link.close()


#: Said when the other side's socket dropped during the offer/answer (its process died, its
#: network went): silence would look like a hang.
_LEFT_MID_SETUP = "\nThe {peer} left while the connection was being set up; waiting for it..."


async def _sender_or_server_copy(
    signal: SignalingClient, options: ReceiveOptions
) -> ChannelLink | None:
    """A channel to the sender; None once it has been gone a while and left a server copy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + options.wait
    while True:
        step = max(min(deadline - loop.time(), options.fallback_after), 0.01)
        try:
            return await negotiate(signal, offer_now=False, ice=options.ice, wait=step)
        except PeerGoneError:
            signal.raise_if_cancelled("sender")
            print(_LEFT_MID_SETUP.format(peer="sender"), file=sys.stderr)
            continue  # wait for it again
        except TimeoutError:
            signal.raise_if_cancelled("sender")
            if signal.fallback and not signal.sender_present:
                return None
            if loop.time() >= deadline:
                raise PeerGoneError(
                    f"The sender did not connect within {options.wait:.0f} s.",
                    hint=_gone_hint(signal),
                ) from None


async def _use_server_copy(signal: SignalingClient, state: _Receiving) -> None:
    url = signal.fallback_url
    assert url is not None
    print(f"\nThe sender is gone; fetching its server copy: {url}", file=sys.stderr)

    def start(manifest: Manifest) -> Callable[[int], None]:
        line = state.line = state.line or ProgressLine(manifest.total_size, "received")
        done = [0]
        line.start_from(0)

        def count(amount: int) -> None:
            done[0] += amount
            line.update(done[0])

        return count

    await asyncio.to_thread(fetch_server_copy, url, state.folder, state.progress, start)
    state.complete = True
    state.source = "from the sender's server copy"


def _gone_hint(signal: SignalingClient) -> str:
    kept = "Files received so far were kept; run the same command again to resume."
    if signal.fallback_url:
        return f"The sender left a copy on the server: {signal.fallback_url} (open it). {kept}"
    return kept


async def _run_connection(
    signal: SignalingClient, link: ChannelLink, state: _Receiving, peer_changed: asyncio.Event
) -> None:
    session = ReceiverSession(state.progress)
    watcher = asyncio.create_task(watch_signaling(signal, link, peer_changed))
    try:
        await link.send(session.data_to_send())
        while not state.complete:
            try:
                _apply(session, state, session.receive(await link.receive()))
            except SyncoxideError as error:
                if isinstance(error, TransportError):
                    raise
                state.folder.discard_restarted(state.progress)
                await link.send(session.data_to_send())  # tell the sender why we stop
                raise
            await link.send(session.data_to_send())
            if state.line is not None:
                state.line.update(state.progress.received_bytes)
        await _let_done_arrive(link)
    finally:
        watcher.cancel()


def _apply(session: ReceiverSession, state: _Receiving, actions: list[ReceiverAction]) -> None:
    for action in actions:
        if isinstance(action, WriteChunk):
            state.folder.write(action.file_index, action.offset, action.payload)
            session.written(len(action.payload))
        elif isinstance(action, ManifestReady):
            state.folder.prepare(action.manifest, state.progress)
            if state.line is None:
                state.line = ProgressLine(action.manifest.total_size, "received")
            state.line.start_from(state.progress.received_bytes)
            _apply(session, state, session.request_missing())
        elif isinstance(action, FileVerified):
            state.folder.finish(action.file_index)
        elif isinstance(action, TransferComplete):
            state.complete = True


async def _let_done_arrive(link: ChannelLink) -> None:
    """Give our DONE frame time to leave before the connection is closed (bounded)."""
    await link.flush(2.0)
    # The sender closing the channel is the acknowledgement we wait for.
    with contextlib.suppress(PeerGoneError, TimeoutError):
        await asyncio.wait_for(link.receive(), 2.0)
