"""A second, independent implementation of the v1 formats, straight from docs/crypto.md.

It uses only ``cryptography`` (HKDF, HMAC, AES-GCM, AES-CTR) and ``argon2-cffi`` and shares no
code with ``syncoxide.crypto``. The known-answer vectors in tests/vectors/crypto were produced
by this module (``python -m tests.native.crypto.reference_crypto``) and the tests check both
that syncoxide reproduces them and that this module still does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "crypto"


def hkdf(ikm: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(ikm)


def mac(key: bytes, message: bytes) -> bytes:
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(message)
    return h.finalize()


def ctr(key: bytes, counter: bytes, data: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CTR(counter)).encryptor()
    return enc.update(data) + enc.finalize()


def encrypt_file(
    *,
    master: bytes,
    file_key: bytes,
    prefix: bytes,
    wrap_nonce: bytes,
    chunk_log2: int,
    plaintext: bytes,
) -> dict[str, str]:
    fixed = b"SYNCOXF" + bytes([1, chunk_log2]) + prefix
    commitment = mac(hkdf(file_key, b"syncoxide/v1/commit"), b"syncoxide/v1/commitment" + fixed)
    kid = hkdf(master, b"syncoxide/v1/key-id", 8)
    aad = fixed + commitment + kid
    header = aad + wrap_nonce + AESGCM(master).encrypt(wrap_nonce, file_key, aad)
    size = 1 << chunk_log2
    pieces = [plaintext[i : i + size] for i in range(0, len(plaintext), size)] or [b""]
    gcm = AESGCM(hkdf(file_key, b"syncoxide/v1/payload"))
    chunks = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        nonce = prefix + index.to_bytes(4, "big") + bytes([last])
        chunks.append(gcm.encrypt(nonce, piece, fixed))
    return {
        "key_id": kid.hex(),
        "commitment": commitment.hex(),
        "header": header.hex(),
        "payload_key": hkdf(file_key, b"syncoxide/v1/payload").hex(),
        "ciphertext": (header + b"".join(chunks)).hex(),
    }


def b32(blob: bytes) -> str:
    return base64.b32encode(blob).decode().rstrip("=").lower()


def encrypt_name(names_key: bytes, directory: str, name: str, max_length: int) -> dict[str, Any]:
    okm = hkdf(names_key, b"syncoxide/v1/dir\x00" + directory.encode(), 64)
    siv = mac(okm[:32], name.encode())[:16]
    encoded = b32(siv + ctr(okm[32:], siv, name.encode()))
    if len(encoded) <= max_length:
        return {"siv": siv.hex(), "stored": encoded, "sidecar": None}
    short = "sxl." + b32(hashlib.sha256(encoded.encode()).digest())
    return {"siv": siv.hex(), "stored": short, "sidecar": encoded}


def seal_vault(
    *,
    password: bytes,
    salt: bytes,
    master: bytes,
    wrap_nonce: bytes,
    memory_kib: int,
    iterations: int,
) -> dict[str, str]:
    kek = hash_secret_raw(
        password,
        salt,
        time_cost=iterations,
        memory_cost=memory_kib,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    aad = (
        b"SYNCOXV"
        + bytes([1, 1, 1])
        + iterations.to_bytes(2, "big")
        + memory_kib.to_bytes(4, "big")
        + salt
        + hkdf(master, b"syncoxide/v1/key-id", 8)
    )
    record = aad + wrap_nonce + AESGCM(kek).encrypt(wrap_nonce, master, aad)
    return {"kek": kek.hex(), "vault": record.hex()}


def file_cases() -> list[dict[str, Any]]:
    base = {
        "master": bytes(range(32)),
        "file_key": bytes(range(32, 64)),
        "prefix": bytes.fromhex("a0a1a2a3a4a5a6"),
        "wrap_nonce": bytes.fromhex("b0" * 12),
        "chunk_log2": 6,
    }
    sizes = {"empty": 0, "one_byte": 1, "exact_two_chunks": 128, "three_chunks": 150}
    cases = []
    for label, size in sizes.items():
        inputs: dict[str, Any] = {**base, "plaintext": bytes((i * 7) % 251 for i in range(size))}
        expected = encrypt_file(**inputs)
        cases.append(
            {
                "label": label,
                **{k: v if isinstance(v, int) else v.hex() for k, v in inputs.items()},
                "expected": expected,
            }
        )
    return cases


def name_cases() -> list[dict[str, Any]]:
    key = bytes(range(100, 132))
    inputs = [
        ("", "hello.txt", 255),
        ("docs", "hello.txt", 255),
        ("docs/2026", "Ünïcødé ✓.md", 255),
        ("", "x" * 200, 255),
        ("a", "just-over-a-small-limit.txt", 64),
    ]
    return [
        {
            "names_key": key.hex(),
            "directory": d,
            "name": n,
            "max_length": m,
            "expected": encrypt_name(key, d, n, m),
        }
        for d, n, m in inputs
    ]


def vault_case() -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "password": b"correct horse battery staple",
        "salt": bytes(range(16)),
        "master": bytes(range(200, 232)),
        "wrap_nonce": bytes.fromhex("c1" * 12),
        "memory_kib": 256,
        "iterations": 2,
    }
    return {
        **{k: v if isinstance(v, int) else v.hex() for k, v in inputs.items()},
        "expected": seal_vault(**inputs),
    }


def all_vectors() -> dict[str, Any]:
    return {
        "file_v1.json": {"cases": file_cases()},
        "names_v1.json": {"cases": name_cases()},
        "vault_v1.json": {"cases": [vault_case()]},
    }


if __name__ == "__main__":
    VECTORS.mkdir(parents=True, exist_ok=True)
    for filename, content in all_vectors().items():
        (VECTORS / filename).write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")
