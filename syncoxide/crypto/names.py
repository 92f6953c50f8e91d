"""Encrypted file names: deterministic per directory, authenticated, base32 for any provider.

Scheme v1 (SIV built from WebCrypto primitives: HMAC-SHA256 and AES-CTR)::

    dir keys   = HKDF-SHA256(names key, info = "syncoxide/v1/dir" || 0x00 || directory utf-8, 64)
                 -> mac key (bytes 0..32) || ctr key (bytes 32..64)
    siv        = HMAC-SHA256(mac key, name utf-8)[0:16]
    blob       = siv (16) || AES-256-CTR(ctr key, counter block = siv, name utf-8)
    stored     = lowercase base32 of blob, no padding        (alphabet a-z 2-7)

``directory`` is the plaintext parent path, "/"-separated with no leading or trailing "/"
("" is the root). The same name in the same directory always gives the same stored name, so a
provider can look it up; the same name elsewhere gives another one, and a stored name moved to
another directory fails authentication. Lowercase base32 survives case-insensitive providers
(decoding accepts either case).

Names too long for the provider (``max_length``, 255 by default) are stored as::

    stored  = "sxl." + lowercase base32(SHA-256(full stored name))   (56 characters)
    sidecar = a file named stored + ".name" whose content is the full stored name (ASCII)

The hash check makes the sidecar self-verifying; the "." never occurs in base32, so long and
sidecar names cannot collide with ordinary ones. Only the AES-CTR call goes to the backend.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from syncoxide.byte_names import from_bytes, to_bytes
from syncoxide.crypto.backend import AesCtrKey, CryptoBackend
from syncoxide.crypto.keys import SecretBytes, hkdf_sha256, hmac_sha256
from syncoxide.errors import ConfigError, MalformedDataError, TamperedDataError, UsageError

SIV_SIZE = 16
DEFAULT_MAX_LENGTH = 255
MIN_MAX_LENGTH = 64  # room for a long name (56) plus the sidecar suffix
LONG_PREFIX = "sxl."
SIDECAR_SUFFIX = ".name"
_INFO_DIR = b"syncoxide/v1/dir\x00"


@dataclass(frozen=True)
class StoredName:
    """What goes on the provider: the entry name, plus a sidecar text when it was too long."""

    stored: str
    sidecar: str | None = None

    @property
    def sidecar_name(self) -> str | None:
        return self.stored + SIDECAR_SUFFIX if self.sidecar is not None else None


def directory_keys(names_key: SecretBytes, directory: str) -> tuple[SecretBytes, SecretBytes]:
    okm = hkdf_sha256(names_key.reveal(), info=_INFO_DIR + to_bytes(directory), length=64)
    return SecretBytes(okm[:32]), SecretBytes(okm[32:])


def synthetic_iv(mac_key: SecretBytes, name: bytes) -> bytes:
    return hmac_sha256(mac_key.reveal(), name)[:SIV_SIZE]


def encode_base32(blob: bytes) -> str:
    return base64.b32encode(blob).decode("ascii").rstrip("=").lower()


def decode_base32(text: str) -> bytes:
    padded = text.upper() + "=" * (-len(text) % 8)
    try:
        return base64.b32decode(padded)
    except ValueError as error:
        raise MalformedDataError(f"'{text}' is not an encrypted syncoxide name.") from error


def long_name(encoded: str) -> str:
    return LONG_PREFIX + encode_base32(hashlib.sha256(encoded.encode("ascii")).digest())


def shorten(encoded: str, max_length: int = DEFAULT_MAX_LENGTH) -> StoredName:
    if max_length < MIN_MAX_LENGTH:
        raise ConfigError(
            f"A provider name limit of {max_length} is too small for encrypted names."
        )
    if len(encoded) <= max_length:
        return StoredName(encoded)
    return StoredName(long_name(encoded), sidecar=encoded)


def is_sidecar(stored: str) -> bool:
    return stored.startswith(LONG_PREFIX) and stored.endswith(SIDECAR_SUFFIX)


def expand(stored: str, sidecar: str | None) -> str:
    """The full encoded name, checked against the hash when it came from a sidecar."""
    if not stored.startswith(LONG_PREFIX):
        return stored
    if sidecar is None:
        raise MalformedDataError(f"The long name '{stored}' has lost its '.name' sidecar.")
    if long_name(sidecar) != stored:
        raise TamperedDataError(f"The sidecar of '{stored}' does not match its name.")
    return sidecar


def check_plain_name(name: str) -> bytes:
    if not name or name in (".", "..") or "/" in name or "\x00" in name:
        raise UsageError(f"{name!r} cannot be a file name.")
    return to_bytes(name)  # a POSIX name that is not UTF-8 keeps its bytes


class NameCipher:
    """Encrypts and decrypts names with one names key; caches one CTR key per directory."""

    def __init__(self, backend: CryptoBackend, names_key: SecretBytes, max_length: int) -> None:
        self._backend = backend
        self._names_key = names_key
        self._max_length = max_length
        self._dirs: dict[str, tuple[SecretBytes, AesCtrKey]] = {}

    def __repr__(self) -> str:
        return "<NameCipher, keys redacted>"

    async def _keys(self, directory: str) -> tuple[SecretBytes, AesCtrKey]:
        if directory not in self._dirs:
            mac_key, ctr_key = directory_keys(self._names_key, directory)
            self._dirs[directory] = (mac_key, await self._backend.aes_ctr(ctr_key))
        return self._dirs[directory]

    async def encrypt(self, directory: str, name: str) -> StoredName:
        plain = check_plain_name(name)
        mac_key, ctr = await self._keys(directory)
        siv = synthetic_iv(mac_key, plain)
        return shorten(encode_base32(siv + await ctr.xor(siv, plain)), self._max_length)

    async def decrypt(self, directory: str, stored: str, sidecar: str | None = None) -> str:
        blob = decode_base32(expand(stored, sidecar))
        if len(blob) <= SIV_SIZE:
            raise MalformedDataError(f"'{stored}' is too short to be an encrypted name.")
        mac_key, ctr = await self._keys(directory)
        siv, body = blob[:SIV_SIZE], blob[SIV_SIZE:]
        plain = await ctr.xor(siv, body)
        if not hmac.compare_digest(synthetic_iv(mac_key, plain), siv):
            raise TamperedDataError(
                f"The encrypted name '{stored[:24]}...' failed authentication in this folder.",
                hint="It was altered or moved from another folder; nothing was decrypted.",
            )
        try:
            name = from_bytes(plain)
            check_plain_name(name)
        except UsageError as error:
            # Authentic but impossible ("..", "a/b"): whoever holds the key made it; refuse it.
            raise MalformedDataError(
                "An encrypted name decrypts to an unsafe file name."
            ) from error
        return name
