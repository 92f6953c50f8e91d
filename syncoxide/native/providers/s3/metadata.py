"""What we keep in S3 object metadata: the exact mtime and our own digests.

Keys follow rclone where it has one (``mtime`` as seconds with a fraction, ``md5chksum`` as
base64), so rclone and syncoxide read each other's objects; ``sx-sha1`` is ours.
"""

from __future__ import annotations

import base64
from contextlib import suppress

from syncoxide.native.providers.digests import mtime_from_text, mtime_to_text
from syncoxide.providers.contract import Entry, EntryKind


def hashes_from_metadata(metadata: dict[str, str]) -> dict[str, str]:
    hashes = {}
    if "sx-sha1" in metadata:
        hashes["sha1"] = metadata["sx-sha1"]
    if "md5chksum" in metadata:
        with suppress(ValueError):
            hashes["md5"] = base64.b64decode(metadata["md5chksum"]).hex()
    return hashes


def object_metadata(mtime_ns: int, hashes: dict[str, str], kind: str) -> dict[str, str]:
    """The metadata of an object whose digests are ``hashes`` (kind -> hex; may be empty)."""
    metadata = {"mtime": mtime_to_text(mtime_ns)}
    if "md5" in hashes:
        metadata["md5chksum"] = base64.b64encode(bytes.fromhex(hashes["md5"])).decode()
    if kind == "sha1" and "sha1" in hashes:
        metadata["sx-sha1"] = hashes["sha1"]
    return metadata


def file_entry(
    path: str, size: int, modified_ns: int, metadata: dict[str, str], *, etag: str = ""
) -> Entry:
    mtime = mtime_from_text(metadata.get("mtime", ""))
    return Entry(
        path,
        EntryKind.FILE,
        size,
        modified_ns if mtime is None else mtime,
        hashes_from_metadata(metadata),
        etag=bare_etag(etag),
    )


def bare_etag(etag: str) -> str:
    """An ETag without its quotes: rclone serve s3 lists ETags bare but returns them quoted
    from a PUT."""
    return etag.strip('"')
