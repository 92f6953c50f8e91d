"""Values the server hands to browsers and must recognise later: signed with a key only it holds.

``signing.key`` (32 random bytes, mode 0600) sits in the data directory beside the database and
never leaves the server: no cookie, page, API answer or log carries it, and nothing a visitor
can learn (a link's password, an unlock cookie, an earlier ticket) lets them compute a MAC.
Every MAC names its purpose first, so a value signed for one use is never accepted for another.

A *ticket* is a signed, expiring statement ``v1.<issued_at>.<visit>.<mac>``:

    v1            format version; anything else is refused
    issued_at     decimal Unix seconds (ASCII digits only) when the server issued it
    visit         16 random bytes, URL-safe base64: which issuance this is
    mac           HMAC-SHA256(key, purpose \\0 subject... \\0 issued_at \\0 visit), 32 hex digits

It is valid only for the purpose and subject it was issued for (for a download ticket: the link
and what was downloaded), from ``issued_at`` until ``issued_at + lifetime``; a timestamp in the
future is refused, so a ticket cannot be minted to last longer than its lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_BYTES = 32
_VERSION = "v1"
_MAC_HEX = 32  # 128 bits: forging one is as hard as guessing a 128-bit secret
_VISIT_BYTES = 16


def load_or_create_key(path: Path) -> bytes:
    """The server's signing key, made on first start (0600, never overwritten)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise ValueError(f"{path} holds {len(key)} bytes, not a {KEY_BYTES}-byte key") from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(descriptor, "wb") as key_file:
        key_file.write(key)
        key_file.flush()
        os.fsync(key_file.fileno())
    return key


@dataclass(frozen=True)
class Ticket:
    issued_at: int
    visit: str


class SigningKey:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a signing key is {KEY_BYTES} bytes")
        self._key = key

    def __repr__(self) -> str:
        return "SigningKey(<hidden>)"

    def mac(self, purpose: str, *parts: str) -> str:
        """A 128-bit hex MAC over ``purpose`` and ``parts`` (NUL-separated, so unambiguous)."""
        message = "\0".join((purpose, *parts)).encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:_MAC_HEX]

    def matches(self, supplied: str | None, purpose: str, *parts: str) -> bool:
        """Whether ``supplied`` is the MAC of ``parts``; any text, even non-ASCII, is safe."""
        if not supplied or len(supplied) != _MAC_HEX or not supplied.isascii():
            return False
        return hmac.compare_digest(supplied, self.mac(purpose, *parts))

    def issue(self, purpose: str, subject: tuple[str, ...], now: int) -> str:
        visit = base64.urlsafe_b64encode(secrets.token_bytes(_VISIT_BYTES)).decode().rstrip("=")
        issued_at = str(now)
        mac = self.mac(purpose, *subject, issued_at, visit)
        return f"{_VERSION}.{issued_at}.{visit}.{mac}"

    def check(
        self, value: str | None, purpose: str, subject: tuple[str, ...], *, now: int, lifetime: int
    ) -> Ticket | None:
        """The ticket if ``value`` is one issued for ``purpose``/``subject`` and still valid."""
        pieces = (value or "").split(".")
        if len(pieces) != 4 or pieces[0] != _VERSION:
            return None
        _, issued_at, visit, mac = pieces
        if not (issued_at.isascii() and issued_at.isdigit() and len(issued_at) <= 12):
            return None
        if not self.matches(mac, purpose, *subject, issued_at, visit):
            return None
        age = now - int(issued_at)
        if age < 0 or age >= lifetime:  # from the future, or expired
            return None
        return Ticket(int(issued_at), visit)
