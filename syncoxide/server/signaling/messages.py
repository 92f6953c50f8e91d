"""The signaling messages, validated before anything else looks at them.

Every client message is one JSON object in one text frame, at most ``MAX_MESSAGE_BYTES``. The
first must be ``join``; after that ``offer``, ``answer``, ``ice``, ``ping``, ``fallback`` and
``cancel``. Anything else, or a field of the wrong type, closes that one socket with
``CLOSE_MALFORMED``: a broken client never reaches the hub, so other rooms never notice it.

Client -> server::

    {"type": "join", "token": str, "role": "sender" | "receiver"}
    {"type": "offer" | "answer", "sdp": str}
    {"type": "ice", "candidate": str | null, "sdpMid": str | null, "sdpMLineIndex": int | null}
    {"type": "ping"}
    {"type": "fallback", "url": "/s/<share id>"}      sender only, signed in as the share's
                                                       owner: a server copy of the files
    {"type": "cancel", "reason": str}                  the transfer is over; do not wait for me

Server -> client::

    {"type": "welcome", "peer": id, "peers": [{"peer": id, "role": role}, ...],
     "fallback": "/s/<share id>" | null,
     "iceServers": [{"urls": [...], "username"?: str, "credential"?: str}, ...]}
                                         STUN/TURN to use (TURN credentials made for this peer;
                                         empty: none configured; protocol/ice_servers.py)
    {"type": "peer-joined", "peer": id, "role": role}
    {"type": "peer-left", "peer": id}
    {"type": "offer" | "answer" | "ice" | "fallback" | "cancel", ..., "from": id}   relayed
    {"type": "pong"}
"""

from __future__ import annotations

import json
import re
from typing import Any

from syncoxide.errors import RemoteProtocolError
from syncoxide.server.inputs import unwritable_text

MAX_MESSAGE_BYTES = 64 * 1024
MAX_SDP_CHARS = 32 * 1024
MAX_CANDIDATE_CHARS = 1024

# Close codes in the private 4000-4999 range, mirroring the HTTP status they resemble.
CLOSE_NORMAL = 1000
CLOSE_MALFORMED = 4400
CLOSE_BAD_TOKEN = 4401
CLOSE_NOT_YOURS = 4403  # a fallback naming a share its sender does not own (or signed out)
CLOSE_IDLE = 4408
CLOSE_ROOM_FULL = 4409
CLOSE_TOO_BIG = 4413
CLOSE_RATE_LIMITED = 4429
CLOSE_SLOW_READER = 4507  # its outbox reached OUTBOX_LIMITS: the server will not hold more

# What the server holds for one peer that does not read: a few offers plus an ICE burst fit;
# past that the peer is closed with CLOSE_SLOW_READER, so memory per socket stays bounded.
OUTBOX_MAX_MESSAGES = 256
OUTBOX_MAX_BYTES = 1 << 20

ROLES = ("sender", "receiver")
RELAYED = ("offer", "answer", "ice", "fallback", "cancel")
# A cancel also travels as a CANCEL frame on the data channel, but there it queues behind up to a
# window of DATA; through signaling it arrives at once, whatever the channel's backlog.
MAX_REASON_CHARS = 200
# Only a share link on this same server: a fallback can never send a receiver elsewhere.
FALLBACK_URL = re.compile(r"^/s/[A-Za-z0-9_-]{16,64}$")

Message = dict[str, Any]


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise RemoteProtocolError(
            f"Signaling message rejected: {what}.",
            hint="The client is out of date or broken; reload the page or update the CLI.",
        )


def _optional(value: object, kind: type, limit: int | None = None) -> bool:
    if value is None:
        return True
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1024
    return isinstance(value, kind) and (limit is None or len(value) <= limit)  # type: ignore[arg-type]


_FIELDS: dict[str, set[str]] = {
    "join": {"type", "token", "role"},
    "offer": {"type", "sdp"},
    "answer": {"type", "sdp"},
    "ice": {"type", "candidate", "sdpMid", "sdpMLineIndex"},
    "ping": {"type"},
    "fallback": {"type", "url"},
    "cancel": {"type", "reason"},
}


def parse_client_message(text: str) -> Message:
    """Decode and validate one client message, or raise RemoteProtocolError saying why."""
    try:
        message = json.loads(text)
    except ValueError:
        raise RemoteProtocolError(
            "Signaling message rejected: it is not JSON.",
            hint="Send one JSON object per WebSocket text frame.",
        ) from None
    _require(isinstance(message, dict), "it is not a JSON object")
    _require(unwritable_text(message) is None, "it holds an unpaired UTF-16 surrogate")
    kind = message.get("type")
    _require(kind in _FIELDS, f"unknown type {str(kind)[:32]!r}")
    extra = set(message) - _FIELDS[kind]
    _require(not extra, f"unexpected fields {sorted(extra)[:4]} in {kind!r}")
    _require(set(message) >= _FIELDS[kind] - {"sdpMid", "sdpMLineIndex"}, f"{kind!r} lacks fields")
    _check_fields(kind, message)
    return dict(message)


def _check_fields(kind: str, message: Message) -> None:
    if kind == "join":
        token = message["token"]
        _require(isinstance(token, str) and 0 < len(token) <= 128, "join needs a token string")
        _require(message["role"] in ROLES, "role must be 'sender' or 'receiver'")
    elif kind in ("offer", "answer"):
        sdp = message["sdp"]
        _require(isinstance(sdp, str) and 0 < len(sdp) <= MAX_SDP_CHARS, "sdp must be a string")
    elif kind == "ice":
        _require(_optional(message["candidate"], str, MAX_CANDIDATE_CHARS), "bad candidate")
        _require(_optional(message.get("sdpMid"), str, 64), "bad sdpMid")
        _require(_optional(message.get("sdpMLineIndex"), int), "bad sdpMLineIndex")
    elif kind == "fallback":
        url = message["url"]
        _require(isinstance(url, str) and bool(FALLBACK_URL.match(url)), "url must be /s/<id>")
    elif kind == "cancel":
        reason = message["reason"]
        _require(
            isinstance(reason, str) and 0 < len(reason) <= MAX_REASON_CHARS,
            f"reason must be a string of 1 to {MAX_REASON_CHARS} characters",
        )


def encode(message: Message) -> str:
    return json.dumps(message, separators=(",", ":"))
