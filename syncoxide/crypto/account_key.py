"""An account's key pair for encrypted shares: made on the user's device, kept by the server
only inside a passphrase vault.

The private half is 32 random bytes (X25519); it is sealed in a SYNCOXV vault (``vault.py``)
whose master key *is* that private key, so the server stores ``public_key`` and the 100-byte
vault and learns nothing without the passphrase (Argon2id, as every vault). Any device of the
account unlocks it with the passphrase; none keeps it on disk.

The fingerprint is what two people compare (aloud, or side by side) before trusting each
other's key::

    fingerprint = SHA-256("syncoxide/v1/account-key" || public key)[0:16]
                  as 8 groups of 4 hex digits, e.g. "3f2a 9c01 ..."

128 bits: a second-preimage search for a matching fingerprint is out of reach, and the text
is still short enough to read out.
"""

from __future__ import annotations

import hashlib
import hmac

from syncoxide.crypto.backend import Argon2Params, RecipientBackend
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes
from syncoxide.crypto.vault import create_vault, parse_vault, unlock_vault
from syncoxide.errors import MalformedDataError, TamperedDataError
from syncoxide.ports import RandomSource

_FINGERPRINT_LABEL = b"syncoxide/v1/account-key"
FINGERPRINT_BYTES = 16


def fingerprint(public_key: bytes) -> str:
    digest = hashlib.sha256(_FINGERPRINT_LABEL + public_key).hexdigest()[: 2 * FINGERPRINT_BYTES]
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def check_public_key(public_key: bytes) -> None:
    if len(public_key) != KEY_SIZE:
        raise MalformedDataError(
            f"An account public key is {KEY_SIZE} bytes, not {len(public_key)}.",
            hint="Nothing was stored.",
        )


async def new_account_key(
    backend: RecipientBackend,
    random: RandomSource,
    passphrase: SecretBytes,
    params: Argon2Params | None = None,
) -> tuple[bytes, bytes, SecretBytes]:
    """``(public key, vault bytes, private key)``: only the first two leave the device."""
    record, private = await create_vault(backend, passphrase, random, params)
    return await backend.x25519_public(private), record.encode(), private


async def unlock_account_key(
    backend: RecipientBackend, public_key: bytes, vault: bytes, passphrase: SecretBytes
) -> SecretBytes:
    """The private key; ``WrongPasswordError`` for a wrong passphrase."""
    private = await unlock_vault(backend, parse_vault(vault), passphrase)
    if len(private) != KEY_SIZE or not hmac.compare_digest(
        await backend.x25519_public(private), public_key
    ):
        raise TamperedDataError(
            "The account key's public half does not match its vault: one of them was altered.",
            hint="Nothing was decrypted. Make a new key with `syncoxide keys create --replace`.",
        )
    return private
