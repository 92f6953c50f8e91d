"""An independent implementation of the SYNCOXR v1 format (files sealed to a public key),
straight from the byte diagram in docs/links.md, sharing no code with ``syncoxide.crypto``.

``python -m tests.native.crypto.reference_recipient`` writes tests/vectors/crypto/recipient_v1.json;
the tests check that syncoxide reproduces those bytes and that this module still does.
"""

from __future__ import annotations

import hashlib
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tests.native.crypto.reference_crypto import VECTORS

FILENAME = "recipient_v1.json"


def seal(
    owner_public: bytes,
    ephemeral_private: bytes,
    prefix: bytes,
    chunk_log2: int,
    path: str,
    data: bytes,
) -> bytes:
    ephemeral_key = X25519PrivateKey.from_private_bytes(ephemeral_private)
    ephemeral = ephemeral_key.public_key().public_bytes_raw()
    shared = ephemeral_key.exchange(X25519PublicKey.from_public_bytes(owner_public))
    okm = HKDF(
        algorithm=hashes.SHA256(),
        length=64,
        salt=ephemeral + owner_public,
        info=b"syncoxide/v1/recipient",
    ).derive(shared)
    fixed = b"SYNCOXR" + bytes([1, chunk_log2]) + prefix
    name = path.encode()
    aad = fixed + ephemeral + hashlib.sha256(owner_public).digest()[:8]
    aad += (len(name) + 16).to_bytes(2, "big")
    header = aad + AESGCM(okm[32:]).encrypt(bytes(12), name, aad)
    size = 1 << chunk_log2
    pieces = [data[i : i + size] for i in range(0, len(data), size)] or [b""]
    chunks = [
        AESGCM(okm[:32]).encrypt(
            prefix + n.to_bytes(4, "big") + bytes([n == len(pieces) - 1]), piece, fixed
        )
        for n, piece in enumerate(pieces)
    ]
    return header + b"".join(chunks)


def cases() -> list[dict[str, object]]:
    made = []
    for label, size, path in (("empty", 0, "a"), ("three chunks", 150, "Dossier/ünï ✓.txt")):
        owner_private = hashlib.sha256(b"owner " + label.encode()).digest()
        owner_public = X25519PrivateKey.from_private_bytes(owner_private).public_key()
        ephemeral = hashlib.sha256(b"ephemeral " + label.encode()).digest()
        prefix = hashlib.sha256(b"prefix " + label.encode()).digest()[:7]
        data = hashlib.sha256(b"data").digest() * 5
        public = owner_public.public_bytes_raw()
        made.append(
            {
                "label": label,
                "owner_private": owner_private.hex(),
                "owner_public": public.hex(),
                "ephemeral_private": ephemeral.hex(),
                "prefix": prefix.hex(),
                "chunk_log2": 6,
                "path": path,
                "plaintext": data[:size].hex(),
                "expected": seal(public, ephemeral, prefix, 6, path, data[:size]).hex(),
            }
        )
    return made


if __name__ == "__main__":
    content = {"cases": cases()}
    (VECTORS / FILENAME).write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")
