"""The crypto backend port: the few primitives the standard library lacks.

Choice: the formats stay sans-IO *and* this port is async.

* The format modules (``format.py``, ``names.py``, ``vault.py``) compute every nonce, AAD,
  header byte, commitment and key derivation themselves, in pure Python, and call no cipher.
  HMAC-SHA256/HKDF come from the stdlib (same bytes as WebCrypto, tiny inputs), so the
  known-answer vectors check the format logic inside Pyodide too, where ``cryptography``
  does not exist.
* What remains, AES-256-GCM, AES-256-CTR and Argon2id, goes through this port. Its methods
  are ``async`` because WebCrypto only returns Promises, and Pyodide under Node has no way to
  wait for a Promise synchronously (no JSPI). A synchronous port would force the browser to
  re-implement every driver; an async one lets ``stream.py`` drive both platforms unchanged.
  On CPython the coroutines return at once (measured cost: well under 1 % at 64 KiB chunks).

Keys are imported once into a handle (WebCrypto ``importKey``; ``cryptography`` ``AESGCM``),
so per-chunk calls do no key setup. ``open`` returns ``None`` on a bad tag instead of raising:
only the caller knows whether that means a wrong password, a cut file or a flipped bit, and
picks the precise error from ``syncoxide.errors``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from syncoxide.crypto.keys import SecretBytes


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost: memory in KiB, passes, lanes (version 0x13, 32-byte output)."""

    memory_kib: int = 65536
    iterations: int = 3
    parallelism: int = 1


class AesGcmKey(Protocol):
    async def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """Ciphertext followed by the 16-byte tag."""
        ...

    async def open(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes | None:
        """The plaintext, or ``None`` when the tag does not verify."""
        ...

    async def seal_many(
        self, nonces: Sequence[bytes], plaintexts: Sequence[bytes], aad: bytes
    ) -> list[bytes]:
        """``seal`` for several chunks in one call.

        Why: in the browser each awaited Promise costs ~0.8 ms of event-loop round trip, more
        than WebCrypto needs for a 64 KiB chunk; one await per batch lets the chunks run
        concurrently and pays the round trip once.
        """
        ...

    async def open_many(
        self, nonces: Sequence[bytes], sealed: Sequence[bytes], aad: bytes
    ) -> list[bytes | None]:
        """``open`` for several chunks in one call; ``None`` where a tag does not verify."""
        ...


class AesCtrKey(Protocol):
    async def xor(self, counter_block: bytes, data: bytes) -> bytes:
        """AES-256-CTR with a full 128-bit big-endian counter (WebCrypto ``length: 128``)."""
        ...


class CryptoBackend(Protocol):
    async def aes_gcm(self, key: SecretBytes) -> AesGcmKey: ...

    async def aes_ctr(self, key: SecretBytes) -> AesCtrKey: ...

    async def argon2id(
        self, password: SecretBytes, salt: bytes, params: Argon2Params
    ) -> SecretBytes:
        """A 32-byte key derived from the password."""
        ...


class KeyAgreement(Protocol):
    """X25519 (RFC 7748) for files sealed to someone's public key (``recipient.py``).

    Private keys are 32 random bytes, clamped by the primitive itself, so both platforms take
    the same raw form: ``cryptography`` directly, WebCrypto through a PKCS#8 wrapper.
    """

    async def x25519_public(self, private: SecretBytes) -> bytes:
        """The 32-byte public key of ``private``."""
        ...

    async def x25519(self, private: SecretBytes, peer_public: bytes) -> SecretBytes:
        """The 32-byte shared secret (all zero for a low-order peer key: callers refuse it)."""
        ...


class RecipientBackend(CryptoBackend, KeyAgreement, Protocol):
    """A backend that also does X25519: what sealing to a public key needs."""
