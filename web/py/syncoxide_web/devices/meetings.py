"""Where this browser meets a trusted device, as the daemon does (``native/devices/meetings.py``):
the room kept while pairing with it, or else the pair's device room
(``syncoxide/devices/device_room.py``), asked of the server once and kept beside the others.

The server asked is the one this browser meets the device's introducer through, which is where
the other device asks too; without one, this page's own. A kept token the server refuses (its
room secret changed) is replaced by a fresh device room, asked for once (``fresh_meeting``).
"""

from __future__ import annotations

import json

import js
from pyodide.ffi import JsException

from syncoxide.devices.device_id import device_id
from syncoxide.devices.device_room import sign_request
from syncoxide.errors import TransportError
from syncoxide_web.api.server_api import refusal, request_options
from syncoxide_web.devices.store import BrowserDeviceStore, now


async def meeting_for(store: BrowserDeviceStore, peer_key: bytes) -> dict[str, str]:
    peer = device_id(peer_key)
    meetings = await store.meetings()
    if peer in meetings:
        return dict(meetings[peer])
    introducer = (await store.ledger()).introducer_of(peer_key)
    through = meetings.get(device_id(introducer)) if introducer is not None else None
    server = str(through["server"]) if through else str(js.location.origin)
    return await fresh_meeting(store, peer_key, server)


async def fresh_meeting(store: BrowserDeviceStore, peer_key: bytes, server: str) -> dict[str, str]:
    """Ask ``server`` for the pair's device room now, and keep it as the place to meet."""
    peer = device_id(peer_key)
    me = await store.identity()
    request = await sign_request(me, peer_key, issued_at=now(), ed25519=store.ed25519)
    body = json.dumps(request.to_json())
    options = request_options("POST", {"Content-Type": "application/json"}, body)
    try:
        response = await js.fetch(f"{server}/signal/device-rooms", options)
    except JsException as error:
        raise TransportError(f"The server could not be reached ({error}).") from None
    if not response.ok:
        raise TransportError(
            f"The server gave no room to meet {peer} in: {(await refusal(response)).message}",
            hint="Check this device's clock, or pair the two devices by code.",
        )
    answer = json.loads(await response.text())
    meeting = {"server": server, "room": str(answer["room"]), "token": str(answer["token"])}
    await store.remember_meeting(peer, meeting)
    return meeting
