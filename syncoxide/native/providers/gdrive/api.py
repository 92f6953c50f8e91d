"""Google Drive v3 wire details: error replies, query quoting, metadata -> Entry, timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2

from syncoxide.errors import (
    AlreadyExistsError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    SyncoxideError,
)
from syncoxide.providers.contract import Entry, EntryKind

FOLDER_MIME = "application/vnd.google-apps.folder"
FILE_FIELDS = "id,name,mimeType,size,modifiedTime,md5Checksum,sha1Checksum,sha256Checksum,parents"
LIST_FIELDS = f"nextPageToken,files({FILE_FIELDS})"
#: Drive's checksum fields, by the hash kind names the engine uses.
CHECKSUM_FIELDS = {"md5": "md5Checksum", "sha1": "sha1Checksum", "sha256": "sha256Checksum"}


def quoted(value: str) -> str:
    """A string literal for a Drive ``q`` query (backslash escapes quote and backslash)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def children_query(folder_id: str, name: str | None = None) -> str:
    query = f"{quoted(folder_id)} in parents and trashed = false"
    return query if name is None else f"name = {quoted(name)} and {query}"


def rfc3339(mtime_ns: int) -> str:
    """Drive keeps milliseconds: the rest of the nanoseconds is dropped, not rounded."""
    seconds, nanos = divmod(mtime_ns, 10**9)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos // 10**6:03d}Z"


def parse_rfc3339(text: str) -> int:
    whole, _, fraction = text.rstrip("Z").partition(".")
    seconds = int(datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp())
    return seconds * 10**9 + int((fraction + "000000000")[:9])


def is_folder(meta: dict[str, Any]) -> bool:
    return meta.get("mimeType") == FOLDER_MIME


def entry_from(path: str, meta: dict[str, Any]) -> Entry:
    if is_folder(meta):
        return Entry(path, EntryKind.DIR)
    hashes = {kind: str(meta[name]) for kind, name in CHECKSUM_FIELDS.items() if name in meta}
    mtime = parse_rfc3339(meta["modifiedTime"]) if "modifiedTime" in meta else 0
    return Entry(path, EntryKind.FILE, int(meta.get("size", 0)), mtime, hashes)


def _reason(reply: httpx2.Response) -> str:
    try:
        error = reply.json().get("error", {})
        return str(error.get("errors", [{}])[0].get("reason") or error.get("message", ""))
    except (ValueError, AttributeError, IndexError):
        return ""


def is_rate_limited(reply: httpx2.Response) -> bool:
    """Drive says "slow down" with 403 + a rate-limit reason as well as with 429."""
    if reply.status_code != 403 or not reply.is_stream_consumed:
        return False
    return _reason(reply) in ("rateLimitExceeded", "userRateLimitExceeded")


def status_error(reply: httpx2.Response, action: str, path: str) -> SyncoxideError:
    status = reply.status_code
    if status == 404:
        return NotFoundError(f"Google Drive: {path!r} does not exist.")
    if status == 403:
        return PermissionDeniedError(
            f"Google Drive: no permission to {action} {path!r} ({_reason(reply)})."
        )
    if status == 409:
        return AlreadyExistsError(f"Google Drive: {path!r} already exists.")
    if status == 507 or _reason(reply) == "storageQuotaExceeded":
        return ProviderError(
            f"Google Drive is out of storage space while writing {path!r}.",
            hint="Nothing half-written was kept under the final name. Free space, then retry.",
        )
    return ProviderError(f"Google Drive refused to {action} {path!r} ({status} {_reason(reply)}).")
