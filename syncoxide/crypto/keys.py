"""Key material and the key schedule, in pure Python (stdlib ``hmac``/``hashlib`` only).

Every secret travels as a :class:`SecretBytes`, whose ``repr``/``str`` never show the bytes and
which refuses to be pickled, so keys stay out of logs, tracebacks and error messages.

The schedule below is HKDF-SHA256 (RFC 5869) with a fixed, versioned ``info`` label per use, so
one key never serves two purposes. HMAC-SHA256 and HKDF are in the standard library on CPython
and in Pyodide, give the same bytes as WebCrypto's HMAC/HKDF, and only ever touch short inputs
(keys, headers, names): keeping them here, rather than behind the async backend, lets the
known-answer vectors check the whole schedule inside Pyodide too::

    master key (32 bytes, random, kept in the vault)
    ├── key id        HKDF(master, info="syncoxide/v1/key-id")[:8]   names the master in headers
    └── names key     HKDF(master, info="syncoxide/v1/names")        root of per-directory name keys
    file key (32 bytes, random per file, wrapped by the master key in the file header)
    ├── payload key   HKDF(file key, info="syncoxide/v1/payload")    AES-256-GCM for the chunks
    └── commit key    HKDF(file key, info="syncoxide/v1/commit")     HMAC key for key commitment
"""

from __future__ import annotations

import hashlib
import hmac
from typing import NoReturn

KEY_SIZE = 32
KEY_ID_SIZE = 8

_INFO_KEY_ID = b"syncoxide/v1/key-id"
_INFO_NAMES = b"syncoxide/v1/names"
_INFO_PAYLOAD = b"syncoxide/v1/payload"
_INFO_COMMIT = b"syncoxide/v1/commit"


class SecretBytes:
    """Bytes that must not leak: redacted repr, constant-time equality, no pickling."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        self._value = bytes(value)

    def reveal(self) -> bytes:
        """The raw bytes, for handing to a primitive; never log or format the result."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"<SecretBytes: {len(self._value)} bytes, redacted>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretBytes):
            return NotImplemented
        return hmac.compare_digest(self._value, other._value)

    __hash__ = None  # type: ignore[assignment]  # secrets are not dictionary keys

    def __reduce__(self) -> NoReturn:
        raise TypeError("SecretBytes cannot be pickled: it would write key material out")


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def hkdf_sha256(ikm: bytes, *, info: bytes, length: int = KEY_SIZE, salt: bytes = b"") -> bytes:
    """RFC 5869 HKDF with SHA-256; an empty salt means 32 zero bytes, as the RFC says."""
    if length > 255 * 32:
        raise ValueError("HKDF-SHA256 cannot produce more than 8160 bytes")
    prk = hmac_sha256(salt or bytes(32), ikm)
    block = b""
    out = b""
    counter = 1
    while len(out) < length:
        block = hmac_sha256(prk, block + info + bytes([counter]))
        out += block
        counter += 1
    return out[:length]


def key_id(master: SecretBytes) -> bytes:
    return hkdf_sha256(master.reveal(), info=_INFO_KEY_ID, length=KEY_ID_SIZE)


def names_key(master: SecretBytes) -> SecretBytes:
    return SecretBytes(hkdf_sha256(master.reveal(), info=_INFO_NAMES))


def payload_key(file_key: SecretBytes) -> SecretBytes:
    return SecretBytes(hkdf_sha256(file_key.reveal(), info=_INFO_PAYLOAD))


def commit_key(file_key: SecretBytes) -> SecretBytes:
    return SecretBytes(hkdf_sha256(file_key.reveal(), info=_INFO_COMMIT))
