"""A signaling room of their own for two devices that trust each other but never paired directly.

Devices that paired by code keep the room they made while pairing (``native/devices/folders.py``).
A device accepted through an introduction never met its new peer, so neither has such a room.
Both find the same one through the server instead: the room id is derived from the two public
keys (so both ends name the same room without talking), and the server hands out its token only
to a holder of one of the two keys, who signs a fresh request. Anyone may compute the id; only
the pair gets in, so no stranger can fill the room (it holds two peers). What the pair then says
in the room is authenticated end to end by the channel binding, as in every sync session.

Room id: URL-safe base64, unpadded, of the first 16 bytes of
``SHA-256(LABEL || 0x00 || smaller public key || larger public key)`` (22 characters, the shape of
every room id). Signed request bytes, version 1::

    offset  size  field
    0       24    label "syncoxide/v1/device-room"
    24      8     issued at, seconds since the epoch, unsigned big-endian
    32      32    signer's Ed25519 public key
    64      32    the peer's Ed25519 public key

The server takes a request issued at most ``FRESH_FOR`` seconds from its own clock.
Known-answer vectors: tests/vectors/devices/device_room_v1.json.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from syncoxide.devices.device_id import PUBLIC_KEY_SIZE
from syncoxide.devices.signing import SIGNATURE_SIZE, Ed25519, Identity
from syncoxide.errors import AuthenticationError, InvalidInputError

LABEL = b"syncoxide/v1/device-room"
FRESH_FOR = 300  # seconds either way: room for clocks a few minutes apart


def device_room_id(one: bytes, other: bytes) -> str:
    """The room two devices share, the same whichever of them asks."""
    low, high = sorted((one, other))
    digest = hashlib.sha256(LABEL + b"\x00" + low + high).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def request_bytes(signer: bytes, peer: bytes, issued_at: int) -> bytes:
    if len(signer) != PUBLIC_KEY_SIZE or len(peer) != PUBLIC_KEY_SIZE:
        raise InvalidInputError("A device room request names two 32-byte public keys.")
    if not 0 <= issued_at < 2**64:
        raise InvalidInputError("A device room request's time is out of range.")
    return LABEL + issued_at.to_bytes(8, "big") + signer + peer


@dataclass(frozen=True)
class RoomRequest:
    """``POST /signal/device-rooms``: one device of the pair asks for the pair's room token."""

    device: bytes
    peer: bytes
    issued_at: int
    signature: bytes

    @property
    def room(self) -> str:
        return device_room_id(self.device, self.peer)

    def to_json(self) -> dict[str, Any]:
        return {
            "device": _b64(self.device),
            "peer": _b64(self.peer),
            "issued_at": self.issued_at,
            "signature": _b64(self.signature),
        }

    @classmethod
    def from_json(cls, body: object) -> RoomRequest:
        if not isinstance(body, dict):
            raise InvalidInputError("A device room request is a JSON object.")
        issued_at = body.get("issued_at")
        if not isinstance(issued_at, int) or isinstance(issued_at, bool):
            raise InvalidInputError("A device room request needs 'issued_at' in whole seconds.")
        device, peer = _key(body, "device"), _key(body, "peer")
        signature = _decoded(body, "signature")
        if len(signature) != SIGNATURE_SIZE:
            raise InvalidInputError(f"'signature' must be {SIGNATURE_SIZE} bytes.")
        if device == peer:
            raise InvalidInputError("A device room is for two different devices.")
        request_bytes(device, peer, issued_at)  # range checks
        return cls(device, peer, issued_at, signature)


async def sign_request(
    me: Identity, peer: bytes, *, issued_at: int, ed25519: Ed25519
) -> RoomRequest:
    signature = await ed25519.sign(me.private, request_bytes(me.public, peer, issued_at))
    return RoomRequest(me.public, peer, issued_at, signature)


async def check_request(request: RoomRequest, *, now: float, ed25519: Ed25519) -> str:
    """The room id the request may have a token for; raises when it is stale or not signed."""
    if abs(now - request.issued_at) > FRESH_FOR:
        raise AuthenticationError(
            "The device room request is too old or from the future.",
            hint="Check that this device's clock is right, then try again.",
        )
    signed = request_bytes(request.device, request.peer, request.issued_at)
    if not await ed25519.verify(request.device, signed, request.signature):
        raise AuthenticationError("The device room request is not signed by its device.")
    return request.room


def _key(body: dict[str, Any], name: str) -> bytes:
    key = _decoded(body, name)
    if len(key) != PUBLIC_KEY_SIZE:
        raise InvalidInputError(f"{name!r} must be a {PUBLIC_KEY_SIZE}-byte public key.")
    return key


def _decoded(body: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(str(body[name]), validate=True)
    except (KeyError, ValueError, binascii.Error):
        raise InvalidInputError(f"A device room request needs {name!r} in base64.") from None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
