"""Files sealed to someone's X25519 public key: end-to-end encrypted request-link uploads.

The uploader has only the owner's public key; the owner alone can open the file and its name.
Each file gets a fresh ephemeral key pair (ECIES style), so no secret is shared between files
and a file's keys die with the uploader's page. Version 1 (integers big-endian)::

    offset  size  field
    0       7     magic           b"SYNCOXR"
    7       1     version         0x01
    8       1     chunk_log2      plaintext chunk size = 2**chunk_log2 (16 = 64 KiB)
    9       7     nonce_prefix    random per file
    16      32    ephemeral       the uploader's one-time X25519 public key
    48      8     recipient_id    SHA-256(owner public key)[0:8]: which key opens it
    56      2     name_size       N = length of sealed_name (UTF-8 path + 16-byte tag)
    58      N     sealed_name     AES-256-GCM(name key, 12 zero bytes, path, aad=header[0:58])
    58+N    ...   chunks          exactly as SYNCOXF v1 (``format.py``): payload key,
                                  nonce = nonce_prefix || index u32 || last flag,
                                  aad = header[0:16]

    shared      = X25519(ephemeral private, owner public)  (refused when all zero)
    okm         = HKDF-SHA256(shared, salt = ephemeral || owner public,
                              info = "syncoxide/v1/recipient", 64 bytes)
    payload key = okm[0:32]      name key = okm[32:64]

Why this shape: the chunk layer is the vault's, so streaming, random access and the
truncation/reorder checks come for free, and the ciphertext size follows from the plaintext
size and the name alone (a tus upload must announce its length before the first byte). The
name key is used once per file, so the fixed nonce is safe. Anyone may upload, so nothing
proves who sent a file; what the tags prove is that nobody (the server included) changed it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from syncoxide.crypto.backend import RecipientBackend
from syncoxide.crypto.format import (
    DEFAULT_CHUNK_LOG2,
    NONCE_PREFIX_SIZE,
    TAG_SIZE,
    ChunkLayout,
    new_fixed_part,
)
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes, hkdf_sha256
from syncoxide.crypto.stream import FileOpener, FileSealer
from syncoxide.errors import (
    EmptyInputError,
    ForeignFormatError,
    MalformedDataError,
    TamperedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
    WrongKeyError,
)
from syncoxide.ports import RandomSource

MAGIC = b"SYNCOXR"
VERSION_1 = 1
FIXED_SIZE = 16
NAME_AAD_SIZE = 58
RECIPIENT_ID_SIZE = 8
MAX_NAME_BYTES = 4096
_INFO = b"syncoxide/v1/recipient"
_NAME_NONCE = bytes(12)
_KEPT_SAFE = "The encrypted copy was left as it is."


@dataclass(frozen=True)
class RecipientHeader:
    chunk_log2: int
    nonce_prefix: bytes
    ephemeral: bytes
    recipient_id: bytes
    sealed_name: bytes

    @property
    def chunk_size(self) -> int:
        return 1 << self.chunk_log2

    @property
    def size(self) -> int:
        return NAME_AAD_SIZE + len(self.sealed_name)

    def fixed_part(self) -> bytes:
        return MAGIC + bytes([VERSION_1, self.chunk_log2]) + self.nonce_prefix

    def name_aad(self) -> bytes:
        size = len(self.sealed_name).to_bytes(2, "big")
        return self.fixed_part() + self.ephemeral + self.recipient_id + size

    def encode(self) -> bytes:
        return self.name_aad() + self.sealed_name


def recipient_id(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()[:RECIPIENT_ID_SIZE]


def sealed_size(plaintext_size: int, path: str, chunk_log2: int = DEFAULT_CHUNK_LOG2) -> int:
    """The ciphertext size of a file before sealing it (tus needs it up front)."""
    header = NAME_AAD_SIZE + len(path.encode()) + TAG_SIZE
    return ChunkLayout(header, 1 << chunk_log2).ciphertext_size(plaintext_size)


async def _file_keys(
    backend: RecipientBackend, private: SecretBytes, peer: bytes, salt: bytes
) -> tuple[SecretBytes, SecretBytes]:
    shared = await backend.x25519(private, peer)
    if not any(shared.reveal()):
        raise TamperedDataError(
            "The file's key exchange uses a degenerate public key.",
            hint=f"{_KEPT_SAFE} It was altered or written by a faulty tool.",
        )
    okm = hkdf_sha256(shared.reveal(), info=_INFO, length=2 * KEY_SIZE, salt=salt)
    return SecretBytes(okm[:KEY_SIZE]), SecretBytes(okm[KEY_SIZE:])


async def seal_to(
    backend: RecipientBackend,
    owner_public: bytes,
    path: str,
    random: RandomSource,
    *,
    chunk_log2: int = DEFAULT_CHUNK_LOG2,
) -> FileSealer:
    """A sealer whose header carries ``path`` sealed to ``owner_public``."""
    name = path.encode()
    if not name or len(name) > MAX_NAME_BYTES:
        raise MalformedDataError(f"A sealed name holds 1 to {MAX_NAME_BYTES} bytes.")
    new_fixed_part(bytes(NONCE_PREFIX_SIZE), chunk_log2)  # validates chunk_log2
    ephemeral_private = SecretBytes(random.token_bytes(KEY_SIZE))
    ephemeral = await backend.x25519_public(ephemeral_private)
    salt = ephemeral + owner_public
    payload, name_key = await _file_keys(backend, ephemeral_private, owner_public, salt)
    unsealed = RecipientHeader(
        chunk_log2,
        random.token_bytes(NONCE_PREFIX_SIZE),
        ephemeral,
        recipient_id(owner_public),
        bytes(len(name) + TAG_SIZE),  # placeholder of the right size: the AAD holds N
    )
    sealed = await (await backend.aes_gcm(name_key)).seal(_NAME_NONCE, name, unsealed.name_aad())
    header = RecipientHeader(
        chunk_log2, unsealed.nonce_prefix, ephemeral, unsealed.recipient_id, sealed
    )
    return FileSealer(header, await backend.aes_gcm(payload))


async def open_from(
    backend: RecipientBackend, owner_private: SecretBytes, header: RecipientHeader
) -> tuple[str, FileOpener]:
    """The file's path and an opener for its chunks; WrongKeyError for another owner's key."""
    owner_public = await backend.x25519_public(owner_private)
    if not hmac.compare_digest(recipient_id(owner_public), header.recipient_id):
        raise WrongKeyError(
            "This file was encrypted for a different key.",
            hint=f"{_KEPT_SAFE} Use the key made when this request link was created.",
        )
    salt = header.ephemeral + owner_public
    payload, name_key = await _file_keys(backend, owner_private, header.ephemeral, salt)
    name_gcm = await backend.aes_gcm(name_key)
    name = await name_gcm.open(_NAME_NONCE, header.sealed_name, header.name_aad())
    if name is None:
        raise TamperedDataError(
            "The file's sealed name failed authentication: the header was altered.",
            hint=f"{_KEPT_SAFE} Ask the sender to upload it again.",
        )
    try:
        path = name.decode()
    except UnicodeDecodeError:
        raise MalformedDataError("The file's name is not UTF-8 text.") from None
    return path, FileOpener(header, await backend.aes_gcm(payload))


def header_size(start: bytes) -> int:
    """The whole header's size, from its first ``NAME_AAD_SIZE`` bytes."""
    _check_start(start)
    if len(start) < NAME_AAD_SIZE:
        raise _truncated()
    return NAME_AAD_SIZE + int.from_bytes(start[56:58], "big")


def parse_header(data: bytes) -> RecipientHeader:
    """The header at the start of ``data`` (which may hold chunks after it)."""
    size = header_size(data)
    if len(data) < size:
        raise _truncated()
    if size - NAME_AAD_SIZE <= TAG_SIZE:
        raise MalformedDataError("The file's sealed name is empty.")
    new_fixed_part(data[9:16], data[8])  # validates chunk_log2
    return RecipientHeader(data[8], data[9:16], data[16:48], data[48:56], data[58:size])


def _check_start(data: bytes) -> None:
    if not data:
        raise EmptyInputError(
            "The file is empty, so there is nothing to decrypt.",
            hint=f"{_KEPT_SAFE} Check that the upload finished.",
        )
    if len(data) <= len(MAGIC) and MAGIC.startswith(data):
        raise _truncated()
    if not data.startswith(MAGIC):
        raise ForeignFormatError(
            "This is not a file sealed to a request link's key (its first bytes differ).",
            hint=f"{_KEPT_SAFE} It may have been uploaded without encryption.",
        )
    if data[len(MAGIC)] != VERSION_1:
        raise UnsupportedVersionError(
            f"This file uses sealed format version {data[len(MAGIC)]}, unknown to this syncoxide.",
            hint=f"{_KEPT_SAFE} Update syncoxide to open it.",
        )


def _truncated() -> TruncatedDataError:
    return TruncatedDataError(
        "The file ends inside its header.",
        hint=f"{_KEPT_SAFE} The upload was cut short; ask the sender to upload it again.",
    )
