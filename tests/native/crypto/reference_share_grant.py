"""An independent implementation of the SYNCOXK v1 grant (a share key wrapped to an account's
X25519 key), straight from the byte diagram in ``syncoxide/crypto/share_grant.py`` and
docs/sharing.md, sharing no code with ``syncoxide.crypto``.

``python -m tests.native.crypto.reference_share_grant`` writes
tests/vectors/crypto/share_grant_v1.json; the tests check that syncoxide reproduces those
bytes and that this module still does.
"""

from __future__ import annotations

import hashlib
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tests.native.crypto.reference_crypto import VECTORS

FILENAME = "share_grant_v1.json"


def _public(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def _dh(private: bytes, public: bytes) -> bytes:
    peer = X25519PublicKey.from_public_bytes(public)
    return X25519PrivateKey.from_private_bytes(private).exchange(peer)


def grant(
    *,
    ring_id: bytes,
    generation: int,
    share_key: bytes,
    sender_private: bytes,
    recipient_public: bytes,
    ephemeral_private: bytes,
) -> bytes:
    sender_public = _public(sender_private)
    ephemeral = _public(ephemeral_private)
    secret = _dh(ephemeral_private, recipient_public) + _dh(sender_private, recipient_public)
    wrap_key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + sender_public + recipient_public,
        info=b"syncoxide/v1/share-grant",
    ).derive(secret)
    aad = (
        b"SYNCOXK\x01"
        + ring_id
        + generation.to_bytes(4, "big")
        + hashlib.sha256(sender_public).digest()[:8]
        + hashlib.sha256(recipient_public).digest()[:8]
        + ephemeral
    )
    return aad + AESGCM(wrap_key).encrypt(bytes(12), share_key, aad)


def cases() -> list[dict[str, object]]:
    made = []
    for label, generation, to_self in (("to a recipient", 1, False), ("to oneself", 7, True)):

        def seeded(what: str, label: str = label) -> bytes:
            return hashlib.sha256(f"{what} {label}".encode()).digest()

        sender_private = seeded("sender")
        recipient_private = sender_private if to_self else seeded("recipient")
        case = {
            "label": label,
            "ring_id": seeded("ring")[:8].hex(),
            "generation": generation,
            "share_key": seeded("share key").hex(),
            "sender_private": sender_private.hex(),
            "recipient_private": recipient_private.hex(),
            "recipient_public": _public(recipient_private).hex(),
            "ephemeral_private": seeded("ephemeral").hex(),
        }
        case["expected"] = grant(
            ring_id=bytes.fromhex(str(case["ring_id"])),
            generation=generation,
            share_key=seeded("share key"),
            sender_private=sender_private,
            recipient_public=_public(recipient_private),
            ephemeral_private=seeded("ephemeral"),
        ).hex()
        made.append(case)
    return made


if __name__ == "__main__":
    content = {"cases": cases()}
    (VECTORS / FILENAME).write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")
