"""tus uploads into the caller's own files, at ``/api/v1/storage/uploads/``.

The same tus endpoint and upload store as the links use, with its own scope per user, so an
upload id of one user is a 404 for anyone else. Uploads may defer their length (a sync
provider streams from a source whose size it learns only at the end). A finished upload is
not named by itself: the client checks its own digest first, then names it with
``POST /api/v1/storage/commit`` (``syncoxide.server.files.api``), which refuses a digest mismatch.
The quota is checked at creation when the length is known, on each PATCH against the bytes it
would bring, and again when the upload is named.
"""

from __future__ import annotations

import contextlib
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from syncoxide.errors import SyncoxideError
from syncoxide.server.api.openapi import tus_paths
from syncoxide.server.files.service import UPLOAD_SCOPE, FileService
from syncoxide.server.inputs import is_decimal
from syncoxide.server.tus import TusEndpoint, TusPolicy
from syncoxide.server.tus.headers import TusRequestError
from syncoxide.server.tus.signed_in import signed_in_first, signed_in_owner

BASE = "/api/v1/storage/uploads"
MAX_UPLOAD = 1 << 40  # 1 TiB; the quota is the real bound
#: An upload nobody finished is dropped after this long (the ledger resumes within it).
LIFETIME_SECONDS = 7 * 24 * 3600


class StorageUploadPolicy:
    def __init__(self, files: FileService) -> None:
        self.files = files

    async def authorize(self, request: Request) -> str:
        user_id = (await signed_in_owner(request)).user.id
        if request.method == "POST":
            await self.files.uploads.sweep_abandoned()
        await self._check_room(request, user_id)
        return UPLOAD_SCOPE.format(user_id)

    async def _check_room(self, request: Request, user_id: int) -> None:
        """Refuse bytes that cannot fit before they arrive (the commit checks exactly)."""
        incoming = 0
        for header in ("upload-length", "content-length"):
            value = request.headers.get(header, "")
            if is_decimal(value):
                incoming = max(incoming, int(value))
        if request.method == "PATCH":
            offset = request.headers.get("upload-offset", "")
            length = request.headers.get("content-length")
            if is_decimal(offset) and is_decimal(length):
                incoming = max(incoming, int(offset) + int(length or "0"))
        if request.method in ("POST", "PATCH") and incoming:
            try:
                await self.files.check_room(user_id, incoming)
            except SyncoxideError as error:
                await self._drop(request, user_id)
                raise TusRequestError(413, str(error)) from None

    async def _drop(self, request: Request, user_id: int) -> None:
        """An upload that cannot fit is deleted at once, not left to expire."""
        upload_id = request.path_params.get("upload_id")
        if upload_id:
            with contextlib.suppress(TusRequestError):
                uploads = self.files.uploads
                await uploads.delete(await uploads.get(upload_id, UPLOAD_SCOPE.format(user_id)))


def tus_openapi_paths() -> dict[str, dict[str, Any]]:
    return tus_paths(BASE, "Uploads into the caller's own files (named by POST /storage/commit)")


def routes(files: FileService) -> list[BaseRoute]:
    policy = StorageUploadPolicy(files)
    endpoint = TusEndpoint(
        BASE,
        files.uploads,
        TusPolicy(policy.authorize, MAX_UPLOAD, LIFETIME_SECONDS, defer_length=True),
    )
    return [
        Route(r.path, signed_in_first(r.endpoint), methods=list(r.methods or ()))
        for r in endpoint.routes()
    ]
