"""Where this device meets a trusted peer: the room made while pairing with it, or else the
pair's device room (``syncoxide/devices/device_room.py``), asked of the server once and kept
beside the paired rooms in peers.json.

A device accepted through an introduction has no paired room. Both ends ask the server their
introducer meets them through (the one each of them paired with), so both land in the same
room without the introducer being there; a peer trusted with no introducer named (peers.json
lost) is met through any server this device knows.
"""

from __future__ import annotations

from syncoxide.devices.device_id import device_id
from syncoxide.devices.device_room import sign_request
from syncoxide.devices.signing import Identity
from syncoxide.devices.trust import TrustLedger
from syncoxide.native.devices.folders import FolderBook
from syncoxide.native.devices.store import DeviceStore, now
from syncoxide.native.p2p.signal import RoomAddress, device_room


async def meeting_for(store: DeviceStore, me: Identity, peer: bytes) -> RoomAddress | None:
    """The room to meet ``peer`` in; None when this device knows no server to ask."""
    book = FolderBook(store.folder)
    known = book.meeting(device_id(peer))
    if known is not None:
        return known
    server = _server_for(book, await store.ledger(), peer)
    if server is None:
        return None
    request = await sign_request(me, peer, issued_at=now(), ed25519=store.ed25519)
    address = await device_room(server, request.to_json())
    book.remember_meeting(device_id(peer), address)
    return address


def _server_for(book: FolderBook, ledger: TrustLedger, peer: bytes) -> str | None:
    introducer = ledger.introducer_of(peer)
    through = book.meeting(device_id(introducer)) if introducer is not None else None
    if through is not None:
        return through.server
    return next(iter(book.servers()), None)
