"""Secrets sealed at rest with AES-256-GCM under a random key kept in a file beside them.

Used for the CLI's remotes (``remotes.key``) and the server's provider connections
(``connections.key`` in its data directory). Each value is sealed with a *context* as
associated data (the owner and the option's name), so a sealed value cannot be moved to
another remote, connection or option. Stored form: base64(nonce (12 bytes) || ciphertext+tag).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from syncoxide.errors import TamperedDataError

NONCE_BYTES = 12


class SecretSealer:
    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path

    def _key(self) -> bytes:
        if not self.key_path.exists():
            self.key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as key_file:
                key_file.write(os.urandom(32))
        return self.key_path.read_bytes()

    def seal(self, context: str, value: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._key()).encrypt(nonce, value.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, context: str, stored: str, what: str, hint: str) -> str:
        """The clear value; ``TamperedDataError`` naming ``what`` when it does not open."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        raw = base64.b64decode(stored)
        try:
            plain = AESGCM(self._key()).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()
            )
        except InvalidTag as error:
            raise TamperedDataError(
                f"The stored {what} does not open with {self.key_path}.", hint=hint
            ) from error
        return plain.decode()
