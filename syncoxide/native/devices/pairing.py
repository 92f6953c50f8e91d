"""Pairing over the signaling server: create or join a room, open a WebRTC channel, run SPAKE2
on the code's secret, trade signed hellos bound to the channel, then sign PAIR records for
each other and trade every trust record each side holds (so revocations spread at once).

The creator is the room's "sender" and so the WebRTC offerer; the joiner answers. The joiner
decides (``confirm``) once it knows who is at the other end; the creator accepted already by
handing out the code.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from spake2 import SPAKE2_Symmetric  # type: ignore[import-untyped]
from spake2.spake2 import SPAKEError  # type: ignore[import-untyped]

from syncoxide.devices.device_id import device_id
from syncoxide.devices.pairing import (
    ANSWERER,
    OFFERER,
    Hello,
    PairingCode,
    check_hello,
    make_hello,
    pake_identity,
)
from syncoxide.devices.records import RecordKind
from syncoxide.errors import (
    AuthenticationError,
    CancelledByUserError,
    RecordRefusedError,
    RemoteProtocolError,
)
from syncoxide.native.devices.channel_auth import channel_view, receive_json, send_json
from syncoxide.native.devices.folders import FolderBook
from syncoxide.native.devices.store import DeviceStore, now
from syncoxide.native.p2p.channel import ChannelLink, IcePolicy, negotiate
from syncoxide.native.p2p.signal import RoomAddress, SignalingClient, create_room, resolve


@dataclass(frozen=True)
class PairedDevice:
    public: bytes
    name: str
    records_taken: int
    records_refused: list[RecordRefusedError]

    @property
    def device_id(self) -> str:
        return device_id(self.public)


Confirm = Callable[[str, str], Awaitable[bool]]  # (name, device id) -> go ahead?


@dataclass(frozen=True)
class PairingOptions:
    server: str
    ice_servers: list[str]
    wait: float | None = None  # seconds to wait for the other device; None: until stopped


async def offer_pairing(
    store: DeviceStore, options: PairingOptions, show_code: Callable[[PairingCode], None]
) -> PairedDevice:
    address, room_code = await create_room(options.server)
    code = PairingCode.new(room_code, os.urandom(8))
    show_code(code)
    return await _in_room(store, options, address, code, confirm=None)


async def join_pairing(
    store: DeviceStore, code_text: str, options: PairingOptions, confirm: Confirm
) -> PairedDevice:
    code = PairingCode.parse(code_text)
    address = await resolve(code.room_code, options.server)
    return await _in_room(store, options, address, code, confirm=confirm)


async def _in_room(
    store: DeviceStore, options: PairingOptions, address: RoomAddress, code: PairingCode, *,
    confirm: Confirm | None,
) -> PairedDevice:  # fmt: skip
    offerer = confirm is None  # the creator is the room's sender, and offers
    signal = await SignalingClient.join(address, "sender" if offerer else "receiver")
    try:
        link = await negotiate(
            signal, offer_now=False, ice=IcePolicy(tuple(options.ice_servers)), wait=options.wait
        )
        try:
            return await _pair(store, link, address, code, offerer=offerer, confirm=confirm)
        finally:
            await link.flush(2.0)
            await link.close()
    finally:
        await signal.close()


async def _pair(
    store: DeviceStore, link: ChannelLink, address: RoomAddress, code: PairingCode, *,
    offerer: bool, confirm: Confirm | None,
) -> PairedDevice:  # fmt: skip
    me = await store.identity()
    key = await _pake(link, address, code)
    view = channel_view(link, offerer=offerer)
    mine, theirs = (OFFERER, ANSWERER) if offerer else (ANSWERER, OFFERER)
    hello = await make_hello(
        me.private, me.public, me.name, pake_key=key, view=view, role=mine, ed25519=store.ed25519
    )
    await link.send(hello.encode())
    peer = Hello.decode(await asyncio.wait_for(link.receive(), 30.0))
    await check_hello(peer, pake_key=key, view=view, role=theirs, ed25519=store.ed25519)
    if peer.public == me.public:
        raise RemoteProtocolError("Both ends are this same device: pair two different devices.")
    await _agree(link, peer, confirm)
    paired = await _trade_records(store, link, peer)
    await _agree_meeting(store, link, address.server, peer, offerer=offerer)
    return paired


async def _agree_meeting(
    store: DeviceStore, link: ChannelLink, server: str, peer: Hello, *, offerer: bool
) -> None:
    """A room of their own where the two daemons meet from now on (folders.py)."""
    if offerer:
        meeting, _ = await create_room(server)
        body = {"type": "meeting", "room": meeting.room, "token": meeting.token}
        await send_json(link, body)
    else:
        body = await receive_json(link, "meeting")
        meeting = RoomAddress(server, str(body["room"]), str(body["token"]))
    FolderBook(store.folder).remember_meeting(device_id(peer.public), meeting)


async def _pake(link: ChannelLink, address: RoomAddress, code: PairingCode) -> bytes:
    pake = SPAKE2_Symmetric(code.secret.encode(), idSymmetric=pake_identity(address.room))
    await send_json(link, {"type": "pake", "message": base64.b64encode(pake.start()).decode()})
    answer = await receive_json(link, "pake")
    try:
        key: bytes = pake.finish(base64.b64decode(str(answer.get("message")), validate=True))
    except (SPAKEError, ValueError, binascii.Error):
        raise AuthenticationError("The other device's key exchange was malformed.") from None
    return key


async def _agree(link: ChannelLink, peer: Hello, confirm: Confirm | None) -> None:
    if confirm is None:  # the creator: wait for the joiner's answer
        await receive_json(link, "accepted")
        return
    if not await confirm(peer.name, device_id(peer.public)):
        await send_json(link, {"type": "declined"})
        raise CancelledByUserError("Pairing declined; nothing was changed.")
    await send_json(link, {"type": "accepted"})


async def _trade_records(store: DeviceStore, link: ChannelLink, peer: Hello) -> PairedDevice:
    ledger = await store.ledger()
    statement = ledger.statement(
        RecordKind.PAIR, peer.public, name=peer.name, issued_at=now(), via=None
    )
    await store.sign_and_keep(statement)
    ours = [base64.b64encode(r.to_bytes()).decode() for r in (await store.ledger()).records()]
    await send_json(link, {"type": "records", "records": ours})
    answer = await receive_json(link, "records")
    raws = [base64.b64decode(str(raw)) for raw in answer.get("records", [])]
    taken, refused = await store.take(raws)
    return PairedDevice(peer.public, peer.name, taken, refused)
