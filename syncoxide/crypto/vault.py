"""The key vault: a master key wrapped by a key derived from the user's password (Argon2id).

Version 1, 100 bytes (integers big-endian)::

    offset size  field
    0      7     magic          b"SYNCOXV"
    7      1     version        0x01
    8      1     kdf            0x01 = Argon2id v1.3, 32-byte output
    9      1     parallelism    lanes (1..16)
    10     2     iterations     passes (1..64)
    12     4     memory_kib     memory in KiB (8 * parallelism .. 4 GiB)
    16     16    salt           random
    32     8     key_id         HKDF(master, "syncoxide/v1/key-id")[:8]
    40     12    wrap_nonce     random
    52     48    wrapped_master AES-256-GCM(Argon2id(password, salt), wrap_nonce, master,
                                            aad=vault[0:40])
    100

The AAD covers the KDF parameters, so weakening them in the file breaks the tag. A password
change re-derives the wrapping key and re-wraps the *same* master key: no file is re-encrypted.
The bounds on the parameters stop a hostile vault from asking for absurd memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.crypto.backend import Argon2Params, CryptoBackend
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes, key_id
from syncoxide.errors import (
    ForeignFormatError,
    MalformedDataError,
    TamperedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
    WrongPasswordError,
)
from syncoxide.ports import RandomSource

VAULT_MAGIC = b"SYNCOXV"
VAULT_VERSION_1 = 1
VAULT_SIZE_V1 = 100
KDF_ARGON2ID = 1
SALT_SIZE = 16
_AAD_SIZE = 40


@dataclass(frozen=True)
class VaultRecord:
    params: Argon2Params
    salt: bytes
    key_id: bytes
    wrap_nonce: bytes
    wrapped_master: bytes

    def aad(self) -> bytes:
        p = self.params
        return (
            VAULT_MAGIC
            + bytes([VAULT_VERSION_1, KDF_ARGON2ID, p.parallelism])
            + p.iterations.to_bytes(2, "big")
            + p.memory_kib.to_bytes(4, "big")
            + self.salt
            + self.key_id
        )

    def encode(self) -> bytes:
        return self.aad() + self.wrap_nonce + self.wrapped_master


def is_vault(data: bytes) -> bool:
    return data.startswith(VAULT_MAGIC)


def check_params(params: Argon2Params) -> None:
    if not (
        1 <= params.parallelism <= 16
        and 1 <= params.iterations <= 64
        and 8 * params.parallelism <= params.memory_kib <= 4 * 1024 * 1024
    ):
        raise MalformedDataError(
            "The vault asks for Argon2id settings outside the accepted range.",
            hint="Nothing was decrypted. The vault was damaged or not written by syncoxide.",
        )


def parse_vault(data: bytes) -> VaultRecord:
    if not is_vault(data) or len(data) < len(VAULT_MAGIC) + 2:
        raise ForeignFormatError("This is not a syncoxide vault (its first bytes are different).")
    if data[7] != VAULT_VERSION_1 or data[8] != KDF_ARGON2ID:
        raise UnsupportedVersionError(
            f"This vault uses version {data[7]} / KDF {data[8]}, which this syncoxide cannot read.",
            hint="Nothing was decrypted. Update syncoxide.",
        )
    if len(data) < VAULT_SIZE_V1:
        raise TruncatedDataError("The vault record is cut short.", hint="Nothing was decrypted.")
    params = Argon2Params(
        memory_kib=int.from_bytes(data[12:16], "big"),
        iterations=int.from_bytes(data[10:12], "big"),
        parallelism=data[9],
    )
    check_params(params)
    return VaultRecord(params, data[16:32], data[32:40], data[40:52], data[52:100])


async def _seal_master(
    backend: CryptoBackend,
    random: RandomSource,
    params: Argon2Params,
    *,
    password: SecretBytes,
    master: SecretBytes,
) -> VaultRecord:
    check_params(params)
    salt = random.token_bytes(SALT_SIZE)
    unsealed = VaultRecord(params, salt, key_id(master), random.token_bytes(12), b"")
    wrapping = await backend.aes_gcm(await backend.argon2id(password, salt, params))
    wrapped = await wrapping.seal(unsealed.wrap_nonce, master.reveal(), unsealed.aad())
    return VaultRecord(params, salt, unsealed.key_id, unsealed.wrap_nonce, wrapped)


async def create_vault(
    backend: CryptoBackend,
    password: SecretBytes,
    random: RandomSource,
    params: Argon2Params | None = None,
) -> tuple[VaultRecord, SecretBytes]:
    """A new random master key, sealed under ``password``."""
    master = SecretBytes(random.token_bytes(KEY_SIZE))
    record = await _seal_master(
        backend, random, params or Argon2Params(), password=password, master=master
    )
    return record, master


async def unlock_vault(
    backend: CryptoBackend, record: VaultRecord, password: SecretBytes
) -> SecretBytes:
    wrapping = await backend.aes_gcm(await backend.argon2id(password, record.salt, record.params))
    raw = await wrapping.open(record.wrap_nonce, record.wrapped_master, record.aad())
    if raw is None:
        raise WrongPasswordError(
            "The password is wrong (or the vault was altered): it does not unlock the key.",
            hint="Nothing was decrypted or changed. Try again with the password used to encrypt.",
        )
    master = SecretBytes(raw)
    if key_id(master) != record.key_id:
        raise TamperedDataError("The vault's key id does not match its key: it was altered.")
    return master


async def change_password(
    backend: CryptoBackend,
    record: VaultRecord,
    random: RandomSource,
    *,
    old: SecretBytes,
    new: SecretBytes,
    params: Argon2Params | None = None,
) -> VaultRecord:
    """The same master key under a new password: encrypted files stay as they are."""
    master = await unlock_vault(backend, record, old)
    return await _seal_master(backend, random, params or record.params, password=new, master=master)
