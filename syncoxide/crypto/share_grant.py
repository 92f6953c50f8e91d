"""Share keys wrapped to an account's X25519 key: the grants of an encrypted account share.

An encrypted share between accounts has a random 32-byte *share key* per generation (a new one
each time the owner revokes someone). The owner's device wraps it to each member's public key
(the owner's own included) in a *grant*; the grants of a share, concatenated in any order, are
its *keyring* (``KEYRING_NAME`` at the root of the shared folder, synced along with the files).
Version 1, 116 bytes (integers big-endian)::

    offset  size  field
    0       7     magic          b"SYNCOXK"
    7       1     version        0x01
    8       8     ring_id        random per keyring: a grant cannot be moved to another share
    16      4     generation     1, 2, ...: which share key (a file's folder names it)
    20      8     sender_id      SHA-256(sender public key)[0:8]   (``recipient.recipient_id``)
    28      8     recipient_id   SHA-256(recipient public key)[0:8]
    36      32    ephemeral      a one-time X25519 public key
    68      48    wrapped        AES-256-GCM(wrap key, 12 zero bytes, share key, aad=grant[0:68])
    116

    es        = X25519(ephemeral private, recipient public)      (refused when all zero)
    ss        = X25519(sender private, recipient public)         (refused when all zero)
    wrap key  = HKDF-SHA256(es || ss, salt = ephemeral || sender public || recipient public,
                            info = "syncoxide/v1/share-grant", 32 bytes)

Why this shape: ``es`` is the sealed box (only the recipient's private key opens it, and each
grant has its own ephemeral key, so the fixed nonce is safe); ``ss`` makes the grant
authenticated: besides the recipient, only the holder of the sender's private key can have
made it, so a server that swaps in a key of its own choosing is caught when the recipient
checks the grant against the owner's fingerprint. The AAD binds ring, generation and both
parties, so a grant cannot be replayed for another generation or another share.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from syncoxide.crypto.backend import RecipientBackend
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes, hkdf_sha256
from syncoxide.errors import (
    ForeignFormatError,
    TamperedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
    WrongKeyError,
)
from syncoxide.ports import RandomSource

MAGIC = b"SYNCOXK"
VERSION_1 = 1
GRANT_SIZE = 116
AAD_SIZE = 68
RING_ID_SIZE = 8
PARTY_ID_SIZE = 8
KEYRING_NAME = ".syncoxide-keyring"
_INFO = b"syncoxide/v1/share-grant"
_NONCE = bytes(12)
_KEPT_SAFE = "Nothing was decrypted."


def party_id(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()[:PARTY_ID_SIZE]


@dataclass(frozen=True)
class Grant:
    ring_id: bytes
    generation: int
    sender_id: bytes
    recipient_id: bytes
    ephemeral: bytes
    wrapped: bytes

    def aad(self) -> bytes:
        return (
            MAGIC
            + bytes([VERSION_1])
            + self.ring_id
            + self.generation.to_bytes(4, "big")
            + self.sender_id
            + self.recipient_id
            + self.ephemeral
        )

    def encode(self) -> bytes:
        return self.aad() + self.wrapped


def _wrap_key(
    *,
    es: SecretBytes,
    ss: SecretBytes,
    salt: bytes,
) -> SecretBytes:
    if not any(es.reveal()) or not any(ss.reveal()):
        raise TamperedDataError(
            "A share key grant uses a degenerate public key.",
            hint=f"{_KEPT_SAFE} The grant or a published key was altered.",
        )
    return SecretBytes(hkdf_sha256(es.reveal() + ss.reveal(), info=_INFO, salt=salt))


async def make_grant(
    backend: RecipientBackend,
    random: RandomSource,
    *,
    ring_id: bytes,
    generation: int,
    share_key: SecretBytes,
    sender_private: SecretBytes,
    recipient_public: bytes,
) -> Grant:
    """``share_key`` wrapped to ``recipient_public``, made by the sender's private key."""
    if len(ring_id) != RING_ID_SIZE or not 0 < generation < 2**32:
        raise ValueError("a grant needs an 8-byte ring id and a generation in 1..2**32-1")
    sender_public = await backend.x25519_public(sender_private)
    ephemeral_private = SecretBytes(random.token_bytes(KEY_SIZE))
    ephemeral = await backend.x25519_public(ephemeral_private)
    key = _wrap_key(
        es=await backend.x25519(ephemeral_private, recipient_public),
        ss=await backend.x25519(sender_private, recipient_public),
        salt=ephemeral + sender_public + recipient_public,
    )
    unsealed = Grant(
        ring_id, generation, party_id(sender_public), party_id(recipient_public), ephemeral, b""
    )
    wrapped = await (await backend.aes_gcm(key)).seal(_NONCE, share_key.reveal(), unsealed.aad())
    return Grant(ring_id, generation, unsealed.sender_id, unsealed.recipient_id, ephemeral, wrapped)


async def open_grant(
    backend: RecipientBackend,
    grant: Grant,
    *,
    recipient_private: SecretBytes,
    sender_public: bytes,
) -> SecretBytes:
    """The share key; ``WrongKeyError`` for another recipient or sender, else tamper errors."""
    recipient_public = await backend.x25519_public(recipient_private)
    if not hmac.compare_digest(grant.recipient_id, party_id(recipient_public)):
        raise WrongKeyError(
            "This share key was wrapped for a different account key.",
            hint=f"{_KEPT_SAFE} Ask the share's owner to share it with your current key.",
        )
    if not hmac.compare_digest(grant.sender_id, party_id(sender_public)):
        raise WrongKeyError(
            "This share key was not made by the share's owner.",
            hint=f"{_KEPT_SAFE} Compare the owner's fingerprint with them before trusting it.",
        )
    key = _wrap_key(
        es=await backend.x25519(recipient_private, grant.ephemeral),
        ss=await backend.x25519(recipient_private, sender_public),
        salt=grant.ephemeral + sender_public + recipient_public,
    )
    raw = await (await backend.aes_gcm(key)).open(_NONCE, grant.wrapped, grant.aad())
    if raw is None or len(raw) != KEY_SIZE:
        raise TamperedDataError(
            "A share key grant failed authentication: it was altered or not made by the owner.",
            hint=f"{_KEPT_SAFE} Ask the owner to share the folder again.",
        )
    return SecretBytes(raw)


def parse_grant(data: bytes) -> Grant:
    if not data.startswith(MAGIC[: len(data)]) or not data:
        raise ForeignFormatError(
            "This is not a share keyring (its first bytes differ).", hint=_KEPT_SAFE
        )
    if len(data) < GRANT_SIZE:
        raise TruncatedDataError("A share key grant is cut short.", hint=_KEPT_SAFE)
    if data[7] != VERSION_1:
        raise UnsupportedVersionError(
            f"This share key grant uses version {data[7]}, unknown to this syncoxide.",
            hint=f"{_KEPT_SAFE} Update syncoxide to open it.",
        )
    return Grant(
        ring_id=data[8:16],
        generation=int.from_bytes(data[16:20], "big"),
        sender_id=data[20:28],
        recipient_id=data[28:36],
        ephemeral=data[36:68],
        wrapped=data[68:GRANT_SIZE],
    )


def parse_keyring(data: bytes) -> list[Grant]:
    """Every grant of a keyring file; one ring id throughout."""
    if not data or len(data) % GRANT_SIZE:
        raise TruncatedDataError(
            "The share keyring is empty or cut short.",
            hint=f"{_KEPT_SAFE} Wait for the share to finish syncing, then try again.",
        )
    grants = [parse_grant(data[i : i + GRANT_SIZE]) for i in range(0, len(data), GRANT_SIZE)]
    if len({grant.ring_id for grant in grants}) != 1:
        raise TamperedDataError(
            "The share keyring mixes grants of different shares.", hint=_KEPT_SAFE
        )
    return grants


def encode_keyring(grants: list[Grant]) -> bytes:
    return b"".join(grant.encode() for grant in grants)
