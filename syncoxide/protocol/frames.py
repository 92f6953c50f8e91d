"""Binary framing of the transfer protocol (version 1).

Every frame is a type byte and a big-endian body length, then the body::

     0        1        2        3        4        5
    +--------+--------+--------+--------+--------+------------------ - -
    |  type  |      body length (u32, big-endian)     |  body (length bytes)
    +--------+--------+--------+--------+--------+------------------ - -

A whole frame is at most MAX_FRAME (256 KiB, the largest WebRTC data channel message), so a
transport may put one frame per message; over a byte stream frames simply follow each other.

    type  name      body
    0x01  HELLO     magic "SOXT" (4) | version u8 | transfer id (16)
    0x02  MANIFEST  UTF-8 JSON (manifest.py)
    0x03  REQUEST   file index u32 | offset u64
    0x04  CREDIT    amount u32
    0x05  DATA      file index u32 | offset u64 | payload (rest of the body)
    0x06  VERIFIED  file index u32 | SHA-256 (32)
    0x07  DONE      (empty)
    0x08  CANCEL    UTF-8 reason
    0x09  FAILURE   code u16 | UTF-8 message

All integers are unsigned big-endian. A version this code does not know is refused with
UnsupportedVersionError; any other impossible frame with RemoteProtocolError.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from syncoxide.errors import RemoteProtocolError, UnsupportedVersionError
from syncoxide.protocol.events import (
    PROTOCOL_VERSION,
    Cancel,
    Credit,
    Data,
    Done,
    Event,
    Failure,
    Hello,
    ManifestOffered,
    Request,
    Verified,
)
from syncoxide.protocol.manifest import Manifest

MAGIC = b"SOXT"
HEADER = struct.Struct(">BI")
MAX_FRAME = 256 * 1024
MAX_BODY = MAX_FRAME - HEADER.size
DATA_HEADER = struct.Struct(">IQ")
MAX_PAYLOAD = MAX_BODY - DATA_HEADER.size
TRANSFER_ID_BYTES = 16

_HELLO = struct.Struct(">4sB16s")
_FILE = struct.Struct(">I")
_FAILURE = struct.Struct(">H")
_CREDIT = struct.Struct(">I")
_DATA_KIND = 0x05


def encode_event(event: Event) -> bytes:
    if isinstance(event, Data):  # the bulk of a transfer: framed with a single copy
        size = DATA_HEADER.size + len(event.payload)
        if size > MAX_BODY:
            raise ValueError(f"frame body of {size} bytes exceeds {MAX_BODY}")
        head = HEADER.pack(_DATA_KIND, size) + DATA_HEADER.pack(event.file_index, event.offset)
        return b"".join((head, event.payload))
    kind, body = _body_of(event)
    if len(body) > MAX_BODY:
        raise ValueError(f"frame body of {len(body)} bytes exceeds {MAX_BODY}")
    return HEADER.pack(kind, len(body)) + body


def _body_of(event: Event) -> tuple[int, bytes]:
    match event:
        case Hello(transfer_id=tid, version=version):
            return 0x01, _HELLO.pack(MAGIC, version, tid)
        case ManifestOffered(manifest=manifest):
            return 0x02, manifest.to_json()
        case Request(file_index=index, offset=offset):
            return 0x03, DATA_HEADER.pack(index, offset)
        case Credit(amount=amount):
            return 0x04, _CREDIT.pack(amount)
        case Verified(file_index=index, sha256=digest):
            return 0x06, _FILE.pack(index) + digest
        case Done():
            return 0x07, b""
        case Cancel(reason=reason):
            return 0x08, reason.encode()[:1024]
        case Failure(code=code, message=message):
            return 0x09, _FAILURE.pack(code) + message.encode()[:1024]
    raise TypeError(f"not a transfer event: {event!r}")


def split_frame(buffer: bytes | bytearray, start: int = 0) -> tuple[int, int] | None:
    """Return (type, total frame length) if ``buffer[start:]`` begins with a whole frame,
    else None."""
    if len(buffer) - start < HEADER.size:
        return None
    kind, length = HEADER.unpack_from(buffer, start)
    if length > MAX_BODY:
        raise _broken(f"a frame announces {length} bytes, over the {MAX_BODY} limit")
    if len(buffer) - start < HEADER.size + length:
        return None
    return kind, HEADER.size + length


def decode_body(kind: int, body: bytes | memoryview) -> Event:
    """The event in a frame body. A memoryview is read, never kept: DATA copies its payload
    out of it (one copy, the only one on the receiving path), other frames copy it whole."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        raise _broken(f"unknown frame type 0x{kind:02x}")
    try:
        if kind == _DATA_KIND:
            return _data(body)
        return decoder(bytes(body))
    except (struct.error, UnicodeDecodeError):
        raise _broken(f"a frame of type 0x{kind:02x} has the wrong length or encoding") from None


def _broken(what: str) -> RemoteProtocolError:
    return RemoteProtocolError(
        f"The other side sent a broken transfer message: {what}.",
        hint="Verified files were kept; update syncoxide on both ends and resume.",
    )


def _hello(body: bytes) -> Hello:
    magic, version, tid = _HELLO.unpack(body)
    if magic != MAGIC:
        raise _broken("the greeting is not a syncoxide transfer")
    if version != PROTOCOL_VERSION:
        raise UnsupportedVersionError(
            f"The other side speaks transfer protocol version {version}; this is version "
            f"{PROTOCOL_VERSION}.",
            hint="Update syncoxide on the older end and open the link again.",
        )
    return Hello(tid, version)


def _exact(size: int, body: bytes) -> bytes:
    if len(body) != size:
        raise struct.error("wrong length")
    return body


def _verified(body: bytes) -> Verified:
    (index,) = _FILE.unpack_from(_exact(_FILE.size + 32, body))
    return Verified(index, body[_FILE.size :])


def _data(body: bytes | memoryview) -> Data:
    index, offset = DATA_HEADER.unpack_from(body)
    with memoryview(body)[DATA_HEADER.size :] as payload:
        return Data(index, offset, bytes(payload))


def _failure(body: bytes) -> Failure:
    (code,) = _FAILURE.unpack_from(body)
    return Failure(code, body[_FAILURE.size :].decode("utf-8", "replace"))


def _done(body: bytes) -> Done:
    _exact(0, body)
    return Done()


_DECODERS: dict[int, Callable[[bytes], Event]] = {
    0x01: _hello,
    0x02: lambda body: ManifestOffered(Manifest.from_json(body)),
    0x03: lambda body: Request(*DATA_HEADER.unpack(body)),
    0x04: lambda body: Credit(*_CREDIT.unpack(body)),
    0x05: _data,
    0x06: _verified,
    0x07: _done,
    0x08: lambda body: Cancel(body.decode("utf-8")),
    0x09: _failure,
}
