"""tus 1.0.0 header grammar: parsing and formatting, with no IO.

Every malformed header becomes a ``TusRequestError`` carrying the HTTP status the protocol
prescribes, so the endpoint only has to turn the error into a response.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from email.utils import format_datetime

from syncoxide.errors import SyncoxideError
from syncoxide.server.inputs import is_decimal

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "termination", "expiration", "checksum")
CHECKSUM_ALGORITHMS = ("sha1", "md5", "sha256")
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# tus' own status for "the bytes did not match Upload-Checksum".
CHECKSUM_MISMATCH = 460
_METADATA_KEY = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class TusRequestError(SyncoxideError):
    """A request the protocol says to refuse, with the status and a message for people."""

    code = "upload_refused"

    def __init__(self, status: int, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after  # seconds, sent as Retry-After (429)


def parse_non_negative(value: str | None, header: str) -> int:
    if not is_decimal(value) or int(value or "-1") < 0:
        raise TusRequestError(400, f"{header} must be a non-negative integer.")
    return int(value or "0")


def parse_metadata(value: str | None) -> dict[str, str]:
    """``key base64,key2 base64`` to a dict of text values; keys must be unique tokens."""
    if not value:
        return {}
    metadata: dict[str, str] = {}
    for pair in value.split(","):
        parts = pair.strip().split(" ")
        key = parts[0]
        if not _METADATA_KEY.match(key) or key in metadata or len(parts) > 2:
            raise TusRequestError(400, f"Upload-Metadata has a malformed or repeated key {key!r}.")
        metadata[key] = _decode_metadata_value(key, parts[1] if len(parts) == 2 else "")
    return metadata


def _decode_metadata_value(key: str, encoded: str) -> str:
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise TusRequestError(
            400, f"Upload-Metadata value of {key!r} is not base64 UTF-8."
        ) from error


def format_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key
        for key, value in metadata.items()
    )


def parse_checksum(value: str) -> tuple[str, bytes]:
    """``Upload-Checksum: <algorithm> <base64 digest>``."""
    parts = value.strip().split(" ")
    if len(parts) != 2:
        raise TusRequestError(400, "Upload-Checksum must be '<algorithm> <base64 digest>'.")
    algorithm, encoded = parts[0].lower(), parts[1]
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TusRequestError(400, f"Checksum algorithm {algorithm!r} is not supported here.")
    try:
        return algorithm, base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise TusRequestError(400, "Upload-Checksum digest is not valid base64.") from error


def http_date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)
