"""Channel binding: a device signs the connection it sees, so the server cannot sit between.

Signaling passes through our server, which could hand each peer its own DTLS certificate
fingerprint and relay between two encrypted channels. It cannot when each device signs, with
its long-term Ed25519 key, the two fingerprints it sees in the SDP (aiortc and browsers check
the peer's certificate against that fingerprint): a relay gives the two ends different views,
and a signature over one view does not verify against the other.

Signed bytes, version 1::

    offset  size  field
    0       28    label "syncoxide/v1/channel-binding"
    28      1     purpose: 1 pairing, 2 sync session
    29      32    session: SHA-256 of what this session shares (pairing: the PAKE key)
    61      32    offerer's DTLS certificate fingerprint (SHA-256, raw bytes)
    93      32    answerer's DTLS certificate fingerprint (SHA-256, raw bytes)
    125     32    signer's Ed25519 public key

Known-answer vectors: tests/vectors/devices/binding_v1.json.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass

from syncoxide.errors import RemoteProtocolError

LABEL = b"syncoxide/v1/channel-binding"
_FINGERPRINT = re.compile(
    r"^a=fingerprint:sha-256 ((?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})\s*$", re.MULTILINE
)


class Purpose(enum.IntEnum):
    PAIRING = 1
    SYNC = 2


@dataclass(frozen=True)
class ChannelView:
    """The two DTLS fingerprints one end sees, in offerer/answerer order."""

    offerer: bytes
    answerer: bytes


def sdp_fingerprint(sdp: str) -> bytes:
    """The SHA-256 certificate fingerprint an SDP announces (``a=fingerprint:sha-256 AB:..``)."""
    found = {match.group(1).upper() for match in _FINGERPRINT.finditer(sdp)}
    if len(found) != 1:
        raise RemoteProtocolError(
            "The connection's description names no single SHA-256 certificate fingerprint.",
            hint="Both ends must use DTLS with a SHA-256 fingerprint (every current WebRTC does).",
        )
    return bytes.fromhex(found.pop().replace(":", ""))


def binding(purpose: Purpose, session: bytes, view: ChannelView, signer: bytes) -> bytes:
    if len(view.offerer) != 32 or len(view.answerer) != 32 or len(signer) != 32:
        raise RemoteProtocolError("A channel binding needs 32-byte fingerprints and key.")
    digest = hashlib.sha256(session).digest()
    return LABEL + bytes([purpose]) + digest + view.offerer + view.answerer + signer
