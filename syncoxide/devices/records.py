"""Trust records: signed statements one device makes about another, verifiable offline.

A record says "signer trusts subject" (PAIR: we met directly, or I accepted an introduction),
"signer suggests subject to its peers" (INTRODUCE, which implies trust), or "signer no longer
trusts subject" (REVOKE). Every device keeps the records it accepted and hands them to its
peers, so revocations spread; ``trust.py`` decides what they add up to.

Byte layout, version 1 (all integers big-endian)::

    offset  size  field
    0       4     magic "SXTR"
    4       1     version = 1
    5       1     kind: 1 PAIR, 2 INTRODUCE, 3 REVOKE
    6       8     sequence: the signer's counter, strictly increasing over all its records
    14      8     issued_at: seconds since the epoch (shown to people; never used for order)
    22      32    signer's Ed25519 public key
    54      32    subject's Ed25519 public key
    86      32    via: the introducer's key when this PAIR accepts an introduction, else zeros
    118     1     n: length of the name (0..64)
    119     n     the subject's name as the signer knows it, UTF-8
    119+n   64    Ed25519 signature by the signer over bytes 0 .. 119+n

The signature covers the magic and version, so a record cannot be replayed as another format.
Known-answer vectors: tests/vectors/devices/trust_record_v1.json.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, replace

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_id import PUBLIC_KEY_SIZE, device_id
from syncoxide.devices.signing import SIGNATURE_SIZE, Ed25519
from syncoxide.errors import ForeignFormatError, MalformedDataError, UnsupportedVersionError

MAGIC = b"SXTR"
VERSION = 1
MAX_NAME_BYTES = 64
NO_INTRODUCER = bytes(PUBLIC_KEY_SIZE)
_HEADER = struct.Struct(">4sBBQQ32s32s32sB")


class RecordKind(enum.IntEnum):
    PAIR = 1
    INTRODUCE = 2
    REVOKE = 3

    @property
    def trusts(self) -> bool:
        return self is not RecordKind.REVOKE


@dataclass(frozen=True)
class TrustRecord:
    kind: RecordKind
    sequence: int
    issued_at: int
    signer: bytes
    subject: bytes
    name: str = ""
    via: bytes = NO_INTRODUCER
    signature: bytes = b""

    @property
    def slot(self) -> tuple[bytes, bytes]:
        """What a newer record by the same signer replaces: its statement about the subject."""
        return self.signer, self.subject

    @property
    def introducer(self) -> bytes | None:
        return None if self.via == NO_INTRODUCER else self.via

    def signed_part(self) -> bytes:
        name = self.name.encode()
        if len(name) > MAX_NAME_BYTES:
            raise MalformedDataError(f"A device name is at most {MAX_NAME_BYTES} bytes of UTF-8.")
        header = _HEADER.pack(
            MAGIC, VERSION, self.kind, self.sequence, self.issued_at,
            self.signer, self.subject, self.via, len(name),
        )  # fmt: skip
        return header + name

    def to_bytes(self) -> bytes:
        if len(self.signature) != SIGNATURE_SIZE:
            raise MalformedDataError("This trust record is not signed yet.")
        return self.signed_part() + self.signature

    def describe(self) -> str:
        verb = {RecordKind.PAIR: "trusts", RecordKind.INTRODUCE: "introduces"}
        action = verb.get(self.kind, "revoked")
        return f"{device_id(self.signer)} {action} {device_id(self.subject)}"


async def sign_record(record: TrustRecord, private: SecretBytes, ed25519: Ed25519) -> TrustRecord:
    signature = await ed25519.sign(private, record.signed_part())
    return replace(record, signature=signature)


def parse_record(raw: bytes) -> TrustRecord:
    """Decode one record (signature not yet checked: ``verify_record`` does that)."""
    if raw[:4] != MAGIC:
        raise ForeignFormatError("This is not a syncoxide trust record (wrong magic).")
    if len(raw) < _HEADER.size + SIGNATURE_SIZE:
        raise MalformedDataError("The trust record is cut short.")
    _magic, version, kind, sequence, issued, signer, subject, via, size = _HEADER.unpack_from(raw)
    if version != VERSION:
        raise UnsupportedVersionError(f"Trust record version {version} is newer than this one.")
    if kind not in RecordKind.__members__.values() or size > MAX_NAME_BYTES:
        raise MalformedDataError("The trust record has an unknown kind or an oversized name.")
    if len(raw) != _HEADER.size + size + SIGNATURE_SIZE:
        raise MalformedDataError("The trust record's length does not match its name length.")
    try:
        name = raw[_HEADER.size : _HEADER.size + size].decode()
    except UnicodeDecodeError:
        raise MalformedDataError("The trust record's device name is not UTF-8.") from None
    signature = raw[_HEADER.size + size :]
    return TrustRecord(RecordKind(kind), sequence, issued, signer, subject, name, via, signature)


async def verify_record(record: TrustRecord, ed25519: Ed25519) -> bool:
    return await ed25519.verify(record.signer, record.signed_part(), record.signature)
