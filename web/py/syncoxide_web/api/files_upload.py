"""Uploads into your files on the server: a resumable (tus) upload, then a commit that puts it
under its path with the file's own time. One way for every view that stores a file: the
Files view, device photos, and encrypted shares (which seal the bytes as they go)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.api.tus_upload import TusUpload

#: Your files' own resumable uploads (the links' are elsewhere).
FILES_UPLOADS = "/api/v1/storage/uploads/"


async def upload_into_files(
    path: str,
    length: int,
    send: Callable[[TusUpload], Awaitable[None]],
    *,
    mtime_ns: int,
    progress: Callable[[int], None],
) -> None:
    """``length`` bytes that ``send`` puts into a fresh upload, committed as ``path``; a
    refusal is a ``SyncoxideError``, and the upload's bytes are freed on the server."""
    upload = await TusUpload.create(length, {"path": path}, progress, collection=FILES_UPLOADS)
    try:
        await send(upload)
    except SyncoxideError:
        await upload.cancel()  # its bytes are of no use now: free the room they hold
        raise
    commit = {"upload": upload.location.rsplit("/", 1)[-1], "path": path, "mtime_ns": mtime_ns}
    await call_api("POST", "/storage/commit", commit)


async def upload_to_files(file: Any, path: str, progress: Callable[[int], None]) -> None:
    """Upload a browser ``File`` to your files at ``path``, with the file's own time."""
    mtime_ns = int(file.lastModified) * 1_000_000
    await upload_into_files(
        path, int(file.size), lambda up: up.send_blob(file), mtime_ns=mtime_ns, progress=progress
    )
