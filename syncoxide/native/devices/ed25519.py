"""The ``Ed25519`` port on CPython, through ``cryptography`` (OpenSSL)."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_id import PUBLIC_KEY_SIZE
from syncoxide.devices.signing import SIGNATURE_SIZE


class NativeEd25519:
    async def public_key(self, private: SecretBytes) -> bytes:
        key = Ed25519PrivateKey.from_private_bytes(private.reveal())
        return key.public_key().public_bytes_raw()

    async def sign(self, private: SecretBytes, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(private.reveal()).sign(message)

    async def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        if len(public) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
