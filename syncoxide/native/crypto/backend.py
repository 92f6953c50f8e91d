"""The CPython crypto backend: ``cryptography`` for AES and X25519, ``argon2-cffi`` for Argon2id.

Foreign exceptions stop here: a bad GCM tag becomes ``None`` (the port's contract), anything
else from the libraries would be a bug and is left to surface as such.
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from syncoxide.crypto.backend import AesCtrKey, AesGcmKey, Argon2Params
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes


class _GcmKey:
    __slots__ = ("_aead",)

    def __init__(self, key: SecretBytes) -> None:
        self._aead = AESGCM(key.reveal())

    def __repr__(self) -> str:
        return "<AES-256-GCM key, redacted>"

    async def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return self._aead.encrypt(nonce, plaintext, aad)

    async def open(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes | None:
        try:
            return self._aead.decrypt(nonce, sealed, aad)
        except InvalidTag:
            return None

    async def seal_many(
        self, nonces: Sequence[bytes], plaintexts: Sequence[bytes], aad: bytes
    ) -> list[bytes]:
        return [
            self._aead.encrypt(nonce, plain, aad)
            for nonce, plain in zip(nonces, plaintexts, strict=True)
        ]

    async def open_many(
        self, nonces: Sequence[bytes], sealed: Sequence[bytes], aad: bytes
    ) -> list[bytes | None]:
        return [
            await self.open(nonce, record, aad)
            for nonce, record in zip(nonces, sealed, strict=True)
        ]


class _CtrKey:
    __slots__ = ("_algorithm",)

    def __init__(self, key: SecretBytes) -> None:
        self._algorithm = algorithms.AES(key.reveal())

    def __repr__(self) -> str:
        return "<AES-256-CTR key, redacted>"

    async def xor(self, counter_block: bytes, data: bytes) -> bytes:
        # cryptography's CTR counts over the whole 128-bit block, like WebCrypto length=128.
        encryptor = Cipher(self._algorithm, modes.CTR(counter_block)).encryptor()
        return encryptor.update(data) + encryptor.finalize()


class CryptographyBackend:
    """The ``CryptoBackend`` port on CPython."""

    async def aes_gcm(self, key: SecretBytes) -> AesGcmKey:
        return _GcmKey(key)

    async def aes_ctr(self, key: SecretBytes) -> AesCtrKey:
        return _CtrKey(key)

    async def argon2id(
        self, password: SecretBytes, salt: bytes, params: Argon2Params
    ) -> SecretBytes:
        raw = hash_secret_raw(
            secret=password.reveal(),
            salt=salt,
            time_cost=params.iterations,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=KEY_SIZE,
            type=Type.ID,
        )
        return SecretBytes(raw)

    async def x25519_public(self, private: SecretBytes) -> bytes:
        key = X25519PrivateKey.from_private_bytes(private.reveal())
        return key.public_key().public_bytes_raw()

    async def x25519(self, private: SecretBytes, peer_public: bytes) -> SecretBytes:
        key = X25519PrivateKey.from_private_bytes(private.reveal())
        try:
            return SecretBytes(key.exchange(X25519PublicKey.from_public_bytes(peer_public)))
        except ValueError:  # a low-order point: the shared secret would be all zero
            return SecretBytes(bytes(32))
