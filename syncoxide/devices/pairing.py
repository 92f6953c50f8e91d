"""Pairing two devices by a short code, sans-IO: the code, and the hello each side sends.

The code a person reads out is ``ROOM-CODE-SECRET`` (``7K3Q-9XPM-4F7K``): the first two groups
are the signaling server's short code for the room; the last group never leaves the two
devices. It is the password of a PAKE (SPAKE2, run by the native adapter), so the server, which
knows the first part, gets one guess in 2^20 per pairing attempt and learns nothing it can try
offline. After the PAKE each side sends a ``Hello``::

    {"type": "hello", "public": b64(32), "name": str, "signature": b64(64), "mac": b64(32)}

    signature = Ed25519(device key, binding(PAIRING, PAKE key, fingerprints, public))
    mac       = HMAC-SHA256(HKDF(PAKE key, "syncoxide/v1/pair-confirm"),
                            role byte || public || signature || UTF-8 name)

The MAC proves the sender knew the code; the signature proves the device key holder sees the
same DTLS channel (binding.py). The role byte (1 offerer, 2 answerer) stops a hello from being
reflected back to its sender.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass

from syncoxide.crypto.keys import SecretBytes, hkdf_sha256, hmac_sha256
from syncoxide.devices.binding import ChannelView, Purpose, binding
from syncoxide.devices.device_id import PUBLIC_KEY_SIZE
from syncoxide.devices.records import MAX_NAME_BYTES
from syncoxide.devices.signing import SIGNATURE_SIZE, Ed25519
from syncoxide.errors import AuthenticationError, InvalidInputError, RemoteProtocolError
from syncoxide.readable_codes import code_letters, is_code_letters, typed_letters

SECRET_LETTERS = 4
_CONFIRM_INFO = b"syncoxide/v1/pair-confirm"
OFFERER, ANSWERER = 1, 2
#: SPAKE2's symmetric identity is this label and the room id: a code only works in its room.
PAKE_LABEL = b"syncoxide/v1/pair:"


def pake_identity(room: str) -> bytes:
    return PAKE_LABEL + room.encode()


@dataclass(frozen=True)
class PairingCode:
    room_code: str  # what the server maps to the room, "7K3Q-9XPM"
    secret: str  # the PAKE password, never sent to the server

    def __str__(self) -> str:
        return f"{self.room_code}-{self.secret}"

    @classmethod
    def new(cls, room_code: str, entropy: bytes) -> PairingCode:
        value = int.from_bytes(entropy[:3], "big")
        return cls(room_code, code_letters(value, SECRET_LETTERS))

    @classmethod
    def parse(cls, text: str) -> PairingCode:
        letters = typed_letters(text)
        if len(letters) != 8 + SECRET_LETTERS or not is_code_letters(letters):
            raise InvalidInputError(
                f"{text!r} is not a pairing code.",
                hint="A pairing code has three groups, like 7K3Q-9XPM-4F7K, as "
                "`syncoxide devices pair --server URL` prints it on the other device.",
            )
        return cls(f"{letters[:4]}-{letters[4:8]}", letters[8:])


@dataclass(frozen=True)
class Hello:
    public: bytes
    name: str
    signature: bytes
    mac: bytes

    def encode(self) -> bytes:
        fields = {"public": self.public, "signature": self.signature, "mac": self.mac}
        encoded = {key: base64.b64encode(value).decode() for key, value in fields.items()}
        return json.dumps({"type": "hello", "name": self.name, **encoded}).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Hello:
        try:
            body = json.loads(raw)
            hello = cls(
                base64.b64decode(body["public"], validate=True),
                str(body["name"]),
                base64.b64decode(body["signature"], validate=True),
                base64.b64decode(body["mac"], validate=True),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise RemoteProtocolError("The other device sent a malformed hello.") from None
        sizes = (len(hello.public), len(hello.signature), len(hello.mac))
        if len(hello.name.encode()) > MAX_NAME_BYTES:
            raise RemoteProtocolError(f"The other device's name is over {MAX_NAME_BYTES} bytes.")
        if body.get("type") != "hello" or sizes != (PUBLIC_KEY_SIZE, SIGNATURE_SIZE, 32):
            raise RemoteProtocolError("The other device sent a malformed hello.")
        return hello


def _mac(key: bytes, role: int, hello: Hello) -> bytes:
    confirm = hkdf_sha256(key, info=_CONFIRM_INFO)
    signed = bytes([role]) + hello.public + hello.signature + hello.name.encode()
    return hmac_sha256(confirm, signed)


async def make_hello(
    private: SecretBytes, public: bytes, name: str, *, pake_key: bytes, view: ChannelView,
    role: int, ed25519: Ed25519,
) -> Hello:  # fmt: skip
    signature = await ed25519.sign(private, binding(Purpose.PAIRING, pake_key, view, public))
    unsigned = Hello(public, name, signature, b"")
    return Hello(public, name, signature, _mac(pake_key, role, unsigned))


async def check_hello(
    hello: Hello, *, pake_key: bytes, view: ChannelView, role: int, ed25519: Ed25519
) -> None:
    """Raise AuthenticationError unless the peer knew the code and sees this very channel."""
    expected = _mac(pake_key, role, hello)
    if not hmac.compare_digest(expected, hello.mac):
        raise AuthenticationError(
            "The other device did not prove it knows the pairing code; nothing was paired.",
            hint="Check the code and try again with a new one.",
        )
    signed = binding(Purpose.PAIRING, pake_key, view, hello.public)
    if not await ed25519.verify(hello.public, signed, hello.signature):
        raise AuthenticationError(
            "The other device signed a different connection than this one sees: something "
            "sits between the two devices. Nothing was paired.",
            hint="Pair on a network and server you trust, or compare device IDs in person.",
        )
