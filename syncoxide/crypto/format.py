"""The encrypted file format: header, chunk layout, nonces and AAD. Pure: no cipher calls.

Version 1 (all integers big-endian)::

    offset size  field
    0      7     magic          b"SYNCOXF"
    7      1     version        0x01
    8      1     chunk_log2     plaintext chunk size = 2**chunk_log2 (16 = 64 KiB; 6..24 accepted)
    9      7     nonce_prefix   random per file
    16     32    commitment     HMAC-SHA256(commit key, "syncoxide/v1/commitment" || header[0:16])
    48     8     key_id         which master key wrapped the file key
    56     12    wrap_nonce     random
    68     48    wrapped_key    AES-256-GCM(master, wrap_nonce, file key, aad=header[0:56])
    116    ...   chunks

    chunk i = AES-256-GCM(payload key, nonce_i, plaintext_i, aad=header[0:16])  (len + 16 tag)
    nonce_i = nonce_prefix (7) || i as uint32 (4) || last flag (1: 0x01 on the final chunk)

Every chunk holds exactly ``chunk_size`` plaintext bytes except the final one, which holds
1..chunk_size bytes, or 0 bytes only when the whole file is empty. So chunk ``i`` starts at
``116 + i * (chunk_size + 16)``: random access needs nothing but the ciphertext size.

What each piece stops: the counter in the nonce stops reordering; the last flag stops
truncation at a chunk boundary (the new final chunk was sealed with flag 0); per-file keys stop
chunk swapping between files; ``header[0:16]`` as chunk AAD and the commitment bind the
parameters; the wrap AAD binds commitment and key id; the commitment stops a forged wrapped key
that opens under two master keys (AES-GCM is not key-committing). Re-wrapping for a share or a
password change rewrites only bytes 48..116, never the chunks.

Readers dispatch on the version byte (``_PARSERS``), so version 1 stays readable after a
version 2 exists; an unknown higher version raises ``UnsupportedVersionError``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from syncoxide.crypto.keys import KEY_ID_SIZE, KEY_SIZE, SecretBytes, commit_key, hmac_sha256
from syncoxide.errors import (
    EmptyInputError,
    ForeignFormatError,
    MalformedDataError,
    TamperedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
)

MAGIC = b"SYNCOXF"
VERSION_1 = 1
HEADER_SIZE_V1 = 116
FIXED_SIZE = 16  # magic, version, chunk_log2, nonce prefix: the part the chunks authenticate
WRAP_AAD_SIZE = 56
TAG_SIZE = 16
NONCE_PREFIX_SIZE = 7
WRAP_NONCE_SIZE = 12
DEFAULT_CHUNK_LOG2 = 16
MIN_CHUNK_LOG2 = 6
MAX_CHUNK_LOG2 = 24
MAX_CHUNKS = 2**32

_KEPT_SAFE = "The encrypted copy was left as it is."


class ChunkedHeader(Protocol):
    """What the chunk layer needs of a header: ``FileHeader`` here, ``RecipientHeader`` in
    ``recipient.py`` (same chunks, a public-key header instead of a wrapped file key)."""

    @property
    def nonce_prefix(self) -> bytes: ...

    @property
    def chunk_size(self) -> int: ...

    @property
    def size(self) -> int: ...

    def fixed_part(self) -> bytes: ...

    def encode(self) -> bytes: ...


@dataclass(frozen=True)
class FileHeader:
    version: int
    chunk_log2: int
    nonce_prefix: bytes
    commitment: bytes
    key_id: bytes
    wrap_nonce: bytes
    wrapped_key: bytes

    @property
    def chunk_size(self) -> int:
        return 1 << self.chunk_log2

    def fixed_part(self) -> bytes:
        """Bytes 0..16: authenticated by every chunk and by the commitment."""
        return MAGIC + bytes([self.version, self.chunk_log2]) + self.nonce_prefix

    def wrap_aad(self) -> bytes:
        return self.fixed_part() + self.commitment + self.key_id

    def encode(self) -> bytes:
        return self.wrap_aad() + self.wrap_nonce + self.wrapped_key

    @property
    def size(self) -> int:
        return HEADER_SIZE_V1

    def rewrapped(self, key_id: bytes, wrap_nonce: bytes, wrapped_key: bytes) -> FileHeader:
        """The same file under another master key: chunks and commitment stay valid."""
        return FileHeader(
            self.version,
            self.chunk_log2,
            self.nonce_prefix,
            self.commitment,
            key_id,
            wrap_nonce,
            wrapped_key,
        )


def compute_commitment(file_key: SecretBytes, fixed_part: bytes) -> bytes:
    return hmac_sha256(commit_key(file_key).reveal(), b"syncoxide/v1/commitment" + fixed_part)


def check_commitment(header: FileHeader, file_key: SecretBytes) -> None:
    expected = compute_commitment(file_key, header.fixed_part())
    if not hmac.compare_digest(expected, header.commitment):
        raise TamperedDataError(
            "The file header does not match its key commitment: the header was altered.",
            hint=f"{_KEPT_SAFE} Restore the file from another copy.",
        )


def chunk_nonce(nonce_prefix: bytes, index: int, last: bool) -> bytes:
    if not 0 <= index < MAX_CHUNKS:
        raise MalformedDataError(f"Chunk index {index} is outside the format's range.")
    return nonce_prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def new_fixed_part(nonce_prefix: bytes, chunk_log2: int = DEFAULT_CHUNK_LOG2) -> bytes:
    _check_chunk_log2(chunk_log2)
    if len(nonce_prefix) != NONCE_PREFIX_SIZE:
        raise ValueError("the nonce prefix is 7 bytes")
    return MAGIC + bytes([VERSION_1, chunk_log2]) + nonce_prefix


def _check_chunk_log2(chunk_log2: int) -> None:
    if not MIN_CHUNK_LOG2 <= chunk_log2 <= MAX_CHUNK_LOG2:
        raise MalformedDataError(
            f"The header asks for 2**{chunk_log2}-byte chunks, outside the accepted range.",
            hint=f"{_KEPT_SAFE} The file is damaged or was not written by syncoxide.",
        )


def header_size(start: bytes) -> int:
    """The full header size, from its first bytes (at least 8: magic and version)."""
    return _PARSERS[_check_magic_and_version(start)][0]


def parse_header(data: bytes) -> FileHeader:
    """Parse the header at the start of ``data`` (which may hold more bytes after it)."""
    size, parser = _PARSERS[_check_magic_and_version(data)]
    if len(data) < size:
        raise TruncatedDataError(
            "The file ends inside its syncoxide header.",
            hint=f"{_KEPT_SAFE} The copy was cut short; restore it from another copy.",
        )
    return parser(data)


def _check_magic_and_version(data: bytes) -> int:
    if not data:
        raise EmptyInputError(
            "The file is empty, so there is nothing to decrypt.",
            hint=f"{_KEPT_SAFE} Check that the right file was given and that copying it finished.",
        )
    if len(data) <= len(MAGIC) and MAGIC.startswith(data):
        raise TruncatedDataError(
            "The file ends inside its syncoxide header.",
            hint=f"{_KEPT_SAFE} The copy was cut short; restore it from another copy.",
        )
    if not data.startswith(MAGIC):
        raise ForeignFormatError(
            "This is not a file encrypted by syncoxide (its first bytes are different).",
            hint=f"{_KEPT_SAFE} Pick the encrypted copy, or open it with the tool that made it.",
        )
    version = data[len(MAGIC)]
    if version not in _PARSERS:
        raise UnsupportedVersionError(
            f"This file uses encrypted format version {version}, which this syncoxide cannot read.",
            hint=f"{_KEPT_SAFE} Update syncoxide to open it.",
        )
    return version


def _parse_v1(data: bytes) -> FileHeader:
    _check_chunk_log2(data[8])
    return FileHeader(
        version=VERSION_1,
        chunk_log2=data[8],
        nonce_prefix=data[9:16],
        commitment=data[16:48],
        key_id=data[48:56],
        wrap_nonce=data[56:68],
        wrapped_key=data[68:116],
    )


# version byte -> (header size, parser); a new version adds a row, old rows stay.
_PARSERS: dict[int, tuple[int, Callable[[bytes], FileHeader]]] = {
    VERSION_1: (HEADER_SIZE_V1, _parse_v1),
}

assert KEY_ID_SIZE == 8 and KEY_SIZE + TAG_SIZE == 48  # the offsets above depend on these


@dataclass(frozen=True)
class ChunkSpan:
    """Where chunk ``index`` lives in the ciphertext, and whether it is the final one."""

    index: int
    offset: int
    size: int
    last: bool


@dataclass(frozen=True)
class ChunkLayout:
    """Arithmetic between plaintext and ciphertext positions, for streaming and random access."""

    header_size: int
    chunk_size: int

    @property
    def record_size(self) -> int:
        return self.chunk_size + TAG_SIZE

    def ciphertext_size(self, plaintext_size: int) -> int:
        chunks = max(1, -(-plaintext_size // self.chunk_size))
        return self.header_size + plaintext_size + chunks * TAG_SIZE

    def chunk_count(self, ciphertext_size: int) -> int:
        body = ciphertext_size - self.header_size
        if body < TAG_SIZE:
            raise TruncatedDataError("The file ends before its first chunk is complete.")
        count = -(-body // self.record_size)
        final = body - (count - 1) * self.record_size
        if final < TAG_SIZE:
            raise TruncatedDataError(f"The file ends inside the tag of chunk {count - 1}.")
        if final == TAG_SIZE and count > 1:
            raise MalformedDataError(
                "The file ends with an empty chunk, which syncoxide never writes.",
                hint=f"{_KEPT_SAFE} The file was altered or written by a faulty tool.",
            )
        return count

    def plaintext_size(self, ciphertext_size: int) -> int:
        count = self.chunk_count(ciphertext_size)
        return ciphertext_size - self.header_size - count * TAG_SIZE

    def span(self, index: int, ciphertext_size: int) -> ChunkSpan:
        count = self.chunk_count(ciphertext_size)
        if not 0 <= index < count:
            raise IndexError(f"chunk {index} of {count}")
        offset = self.header_size + index * self.record_size
        size = min(self.record_size, ciphertext_size - offset)
        return ChunkSpan(index, offset, size, index == count - 1)

    def chunks_for_range(self, start: int, end: int) -> range:
        """Indexes of the chunks that hold plaintext bytes ``start`` to ``end`` (exclusive)."""
        if start >= end:
            return range(0)
        return range(start // self.chunk_size, (end - 1) // self.chunk_size + 1)


def layout_of(header: ChunkedHeader) -> ChunkLayout:
    return ChunkLayout(header.size, header.chunk_size)


CHUNK_LOG2_OFFSET = 8  # in every version so far: right after the magic and the version byte


def plaintext_size_of(start: bytes, ciphertext_size: int) -> int:
    """The decrypted size of a file of ``ciphertext_size`` bytes whose first bytes (through
    ``CHUNK_LOG2_OFFSET``) are ``start``: without its key, as a server lists a share."""
    size = header_size(start)
    if len(start) <= CHUNK_LOG2_OFFSET:
        raise TruncatedDataError("The file ends inside its syncoxide header.")
    _check_chunk_log2(start[CHUNK_LOG2_OFFSET])
    return ChunkLayout(size, 1 << start[CHUNK_LOG2_OFFSET]).plaintext_size(ciphertext_size)
