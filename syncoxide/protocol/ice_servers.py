"""The STUN and TURN servers a peer connection may use, and TURN's short-lived credentials.

The server hands these out (in the signaling ``welcome`` and at ``GET /api/v1/webrtc/ice``);
the CLI (aiortc) and the browser pass them to their peer connection unchanged. None configured
means none used: no public STUN server is ever added, and peers on one network connect directly.

TURN credentials follow the TURN REST scheme (draft-uberti-behave-turn-rest-00), which coturn
checks with ``use-auth-secret`` and ``static-auth-secret``::

    username = "<expiry, Unix seconds>:<label>"        e.g. "1767225600:room-3f9a"
    password = base64(HMAC-SHA1(shared secret, username))

The TURN server recomputes the password from the username with the same secret and refuses a
username whose expiry has passed, so the secret never leaves the two servers and a leaked
credential stops working by itself. Vectors: tests/vectors/turn_credentials.json.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from syncoxide.errors import RemoteProtocolError

SCHEMES = ("stun:", "turn:", "turns:")
#: More servers than this in one answer is a broken or hostile server, not a configuration.
MAX_SERVERS = 8
MAX_URLS = 8
MAX_TEXT = 512


@dataclass(frozen=True)
class IceServer:
    """One ``RTCIceServer``: its URLs, and for TURN the username and credential."""

    urls: tuple[str, ...]
    username: str = ""
    credential: str = ""

    @property
    def is_turn(self) -> bool:
        return any(url.startswith(("turn:", "turns:")) for url in self.urls)

    def to_json(self) -> dict[str, Any]:
        """The WebRTC dictionary shape (``urls``, ``username``, ``credential``)."""
        body: dict[str, Any] = {"urls": list(self.urls)}
        if self.username or self.credential:
            body |= {"username": self.username, "credential": self.credential}
        return body


def turn_password(secret: bytes, username: str) -> str:
    digest = hmac.new(secret, username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def turn_username(expires_at: int, label: str) -> str:
    return f"{expires_at}:{label}"


def turn_server(urls: tuple[str, ...], secret: bytes, *, label: str, expires_at: int) -> IceServer:
    """A TURN server entry with credentials valid until ``expires_at`` (Unix seconds)."""
    username = turn_username(expires_at, label)
    return IceServer(urls, username, turn_password(secret, username))


def check_url(url: object) -> str:
    """``url`` if it is a STUN or TURN URL; RemoteProtocolError otherwise."""
    if not (isinstance(url, str) and url.startswith(SCHEMES) and 0 < len(url) <= MAX_TEXT):
        raise RemoteProtocolError(
            f"{str(url)[:80]!r} is not a STUN or TURN address.",
            hint="Addresses start with stun:, turn: or turns:, e.g. turn:turn.example.org:3478.",
        )
    return url


def parse_ice_servers(value: object) -> list[IceServer]:
    """The servers in a server's answer (a JSON list of ``RTCIceServer`` dictionaries)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_SERVERS:
        raise RemoteProtocolError(
            "The server sent a malformed list of ICE servers.",
            hint="The server is out of date or broken; no relay is used.",
        )
    return [_parse_one(item) for item in value]


def _parse_one(item: object) -> IceServer:
    if not isinstance(item, dict) or not set(item) <= {"urls", "username", "credential"}:
        raise RemoteProtocolError("An ICE server entry is not a {urls, username, credential}.")
    urls = item.get("urls")
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not 0 < len(urls) <= MAX_URLS:
        raise RemoteProtocolError("An ICE server entry has no list of URLs.")
    texts = [item.get(key, "") for key in ("username", "credential")]
    if not all(isinstance(text, str) and len(text) <= MAX_TEXT for text in texts):
        raise RemoteProtocolError("An ICE server's username or credential is not short text.")
    return IceServer(tuple(check_url(url) for url in urls), texts[0], texts[1])
