"""Where this device meets a trusted peer: the room made while pairing with it, or else the
pair's device room (``syncoxide/devices/device_room.py``), asked of the server once and kept
beside the paired rooms in peers.json.

A device accepted through an introduction has no paired room. Both ends ask the server their
introducer meets them through (the one each of them paired with), so both land in the same
room without the introducer being there; a peer trusted with no introducer named (peers.json
lost) is met through any server this device knows.

A kept token stops working when the server's room secret changes (a new data folder, a key
rotated): the server refuses it when we join. Then the pair's device room is asked for afresh,
once, and kept in place of the old room; the peer does the same and both land in that room,
whose id follows from the two keys. A second refusal is reported, not retried in a loop.
"""

from __future__ import annotations

from syncoxide.devices.device_id import device_id
from syncoxide.devices.device_room import sign_request
from syncoxide.devices.signing import Identity
from syncoxide.devices.trust import TrustLedger
from syncoxide.errors import AuthenticationError
from syncoxide.native.devices.folders import FolderBook
from syncoxide.native.devices.store import DeviceStore, now
from syncoxide.native.p2p.signal import RoomAddress, SignalingClient, device_room


async def meeting_for(store: DeviceStore, me: Identity, peer: bytes) -> RoomAddress | None:
    """The room to meet ``peer`` in; None when this device knows no server to ask."""
    book = FolderBook(store.folder)
    known = book.meeting(device_id(peer))
    if known is not None:
        return known
    server = _server_for(book, await store.ledger(), peer)
    if server is None:
        return None
    return await fresh_meeting(store, me, peer, server)


async def fresh_meeting(store: DeviceStore, me: Identity, peer: bytes, server: str) -> RoomAddress:
    """Ask ``server`` for the pair's device room now, and keep it as the place to meet."""
    request = await sign_request(me, peer, issued_at=now(), ed25519=store.ed25519)
    address = await device_room(server, request.to_json())
    FolderBook(store.folder).remember_meeting(device_id(peer), address)
    return address


async def join_meeting(
    store: DeviceStore, address: RoomAddress, *, me: Identity, peer: bytes, role: str
) -> SignalingClient:
    """Join the room at ``address``; if the server refuses its token, ask for a fresh room
    once and join that."""
    try:
        return await SignalingClient.join(address, role)
    except AuthenticationError:
        fresh = await fresh_meeting(store, me, peer, address.server)
        return await SignalingClient.join(fresh, role)


def _server_for(book: FolderBook, ledger: TrustLedger, peer: bytes) -> str | None:
    introducer = ledger.introducer_of(peer)
    through = book.meeting(device_id(introducer)) if introducer is not None else None
    if through is not None:
        return through.server
    return next(iter(book.servers()), None)
