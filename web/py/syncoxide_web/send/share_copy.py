"""The Send view's "also upload": the same files as a share link on the server, over tus.

The share is created first (``POST /api/v1/shares``), then each file goes up through the app's
one tus client (``tus_upload``), which hands Blob slices straight to ``fetch`` so the bytes go
from the file to the network without passing through Python. A reopened sender asks the share
which files it already holds and uploads only the others. The link is handed back (and named
in the room) only once the server lists every file with the manifest's size and SHA-256, so a
recipient who falls back to it gets exactly what the sender announced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from syncoxide.errors import IntegrityError
from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.server_copy import mismatch
from syncoxide_web.api.server_api import call
from syncoxide_web.api.tus_upload import TusUpload


class ServerCopy:
    """A share link being filled with the sender's files."""

    def __init__(self, share: dict[str, Any]) -> None:
        self.share = share

    @classmethod
    async def create(cls, title: str) -> ServerCopy:
        return cls(await call("POST", "/shares", {"title": title[:200]}))

    @property
    def url(self) -> str:
        return str(self.share["url"])

    async def listing(self) -> list[dict[str, Any]]:
        described = await call("GET", f"/shares/{self.share['id']}")
        files: list[dict[str, Any]] = described.get("files", [])
        return files

    async def upload_missing(
        self, manifest: Manifest, entries: list[tuple[str, Any]], on_bytes: Callable[[int], None]
    ) -> str:
        """Upload every file the share does not hold yet; the share link path once the server
        lists all of them as ``manifest`` says (IntegrityError otherwise: nothing is named)."""
        held = {file["path"] for file in await self.listing()}
        for path, blob in entries:
            if path in held:
                on_bytes(int(blob.size))
            else:
                await self._upload(path, blob, on_bytes)
        if why := mismatch(manifest, await self.listing()):
            raise IntegrityError(
                f"The server copy does not match the files sent: {why}",
                hint="It was not offered to the recipient; the peer-to-peer transfer goes on.",
            )
        return self.url

    async def _upload(self, path: str, blob: Any, on_bytes: Callable[[int], None]) -> None:
        reached = [0]

        def progress(offset: int) -> None:  # TusUpload reports offsets; callers count bytes
            on_bytes(offset - reached[0])
            reached[0] = offset

        metadata = {"share": str(self.share["id"]), "path": path}
        upload = await TusUpload.create(int(blob.size), metadata, progress)
        await upload.send_blob(blob)
