"""The Ed25519 port: what device identities and trust records need from a signature scheme.

Async for the same reason as ``syncoxide.crypto.backend``: WebCrypto answers with Promises,
and one async port lets the same ledger code run on CPython and in the browser. Private keys
are the 32-byte RFC 8032 seeds, carried as ``SecretBytes`` so they never reach a log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_id import device_id

SIGNATURE_SIZE = 64
SEED_SIZE = 32


class Ed25519(Protocol):
    async def public_key(self, private: SecretBytes) -> bytes:
        """The 32-byte public key of a 32-byte seed."""
        ...

    async def sign(self, private: SecretBytes, message: bytes) -> bytes:
        """The 64-byte signature of ``message``."""
        ...

    async def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        """True only when ``signature`` is ``public``'s over ``message``; never raises."""
        ...


@dataclass(frozen=True)
class Identity:
    """A device's own key pair and the name it shows (the CLI's config folder or the browser's
    IndexedDB keeps it)."""

    private: SecretBytes
    public: bytes
    name: str

    @property
    def device_id(self) -> str:
        return device_id(self.public)
