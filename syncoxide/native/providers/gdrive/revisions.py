"""A Drive file's revisions, and the stream of one of them, for ``KeepsVersions``.

Drive keeps revisions of a file with binary content itself: ``revisions.list`` sends them
oldest first with the head (the current content) last, paged. Drive has no call that makes
an old revision the head again, so a restore reads the old revision's bytes
(``revisions.get`` with ``alt=media``) and uploads them as the file's new content: the file
keeps its id, and the head it replaces becomes a revision like any other, so nothing is lost.

A revision's ``modifiedTime`` is the file's ``modifiedTime`` when that content was stored, so
it doubles as the time the version was stored and as the mtime a restore gives back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from syncoxide.native.providers.gdrive.api import parse_rfc3339, status_error
from syncoxide.native.providers.oauth_http import OAuthClient, reading
from syncoxide.providers.contract import ProviderVersion

#: What a listing asks for: enough to show a version and to check a restored copy.
REVISION_FIELDS = "nextPageToken,revisions(id,modifiedTime,size,md5Checksum)"
_READ_CHUNK = 1024 * 1024

#: ``DriveProvider._call``: (method, url, action, path, **options) -> the reply's JSON.
Call = Callable[..., Awaitable[dict[str, Any]]]


async def list_revisions(
    call: Call, revisions_url: str, path: str, page_size: int
) -> list[dict[str, Any]]:
    """Every revision resource of the file, oldest first (Drive's order)."""
    params = {"fields": REVISION_FIELDS, "pageSize": str(page_size)}
    found: list[dict[str, Any]] = []
    while True:
        page = await call("GET", revisions_url, "list the versions of", path, params=params)
        found += page.get("revisions", [])
        if not page.get("nextPageToken"):
            return found
        params["pageToken"] = str(page["nextPageToken"])


def versions_from(revisions: list[dict[str, Any]]) -> list[ProviderVersion]:
    """Revision resources (oldest first) as versions, newest first; the head is current."""
    newest_first = revisions[::-1]
    return [
        ProviderVersion(
            version_id=str(revision["id"]),
            size=int(revision.get("size", 0)),
            stored_ns=parse_rfc3339(str(revision["modifiedTime"])),
            current=index == 0,
        )
        for index, revision in enumerate(newest_first)
    ]


async def revision_bytes(client: OAuthClient, revision_url: str, path: str) -> AsyncIterator[bytes]:
    """The revision's content, streamed; a revision Drive no longer has is NotFoundError."""
    reply = await client.request("GET", revision_url, params={"alt": "media"}, stream=True)
    try:
        if reply.status_code != 200:
            await reply.aread()
            raise status_error(reply, "read a version of", path)
        with reading("Google Drive", path):
            async for block in reply.aiter_bytes(_READ_CHUNK):
                yield block
    finally:
        await reply.aclose()
